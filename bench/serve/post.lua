-- wrk script: every request POSTs the same 64-byte body, which the echo program sends back.
wrk.method = "POST"
wrk.body = string.rep("0123456789abcdef", 4)
wrk.headers["Content-Type"] = "text/plain"
