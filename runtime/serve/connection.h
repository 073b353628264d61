// One HTTP/1.1 connection, served by a host task (process/host_task.h) from accept to close:
// requests are read and parsed with http_parser (Debian's libhttp-parser), their framing
// checked strictly first (framing.h), one at a time, pipelined ones in order; each is
// answered by a run of the program (program.h).
//
// Keep-alive is HTTP/1.1's default and HTTP/1.0's with "Connection: keep-alive". A request
// must arrive whole within --read-timeout of its first byte (else 408), an idle connection
// is closed after --keepalive-timeout, and an answer the client does not take within
// --read-timeout ends the connection. After 400, 408, 413, 431 or 501 the connection is
// closed: where the next request would start is not known. The server may close a
// connection that waits (server.h), answering 503 if part of a request had come.
#pragma once

#include <sys/socket.h>

namespace lunatic::rt::serve {

class Server;

// Serves connected socket `fd` (non-blocking) from `peer` until it closes (Server::leave
// closes the socket).
void serveConnection(Server& server, int fd, const sockaddr_storage& peer);

}  // namespace lunatic::rt::serve
