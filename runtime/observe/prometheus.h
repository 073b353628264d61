// /metrics: the runtime's figures (stats.h, the scheduler's workers, the memory pool, the
// host's TCP sockets) and the guest's lunatic::metrics series (api/metrics.h), in the
// Prometheus text exposition format, version 0.0.4.
#pragma once

#include <string>

namespace lunatic::rt::observe {

inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string renderMetrics();

// A guest's series name as Prometheus accepts it ([a-zA-Z_:][a-zA-Z0-9_:]*): every other
// byte becomes '_', and a leading digit gets a '_' before it ("http.requests" is
// "http_requests", as upstream's exporter names it). Label names lose ':' too.
std::string metricName(std::string_view name, bool label = false);

}  // namespace lunatic::rt::observe
