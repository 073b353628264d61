// The metrics endpoint's text (runtime/observe/prometheus.h): guest names made acceptable to
// Prometheus, counters' _total, histograms' cumulative buckets, and families whose names
// collide left out rather than breaking the scrape.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "runtime/api/metrics.h"
#include "runtime/observe/prometheus.h"

using namespace lunatic::rt;

namespace {

bool hasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

}  // namespace

TEST_CASE("prometheus: guest names become metric and label names") {
  CHECK(observe::metricName("http.requests") == "http_requests");
  CHECK(observe::metricName("a:b-c d") == "a:b_c_d");
  CHECK(observe::metricName("9lives") == "_9lives");
  CHECK(observe::metricName("") == "_");
  CHECK(observe::metricName("caf\xc3\xa9") == "caf__");
  CHECK(observe::metricName("a:b", true) == "a_b");
  CHECK(observe::metricName("__reserved", true) == "x_reserved");
}

TEST_CASE("prometheus: guest series, with their families' HELP and TYPE") {
  REQUIRE(metrics::addToCounter("unit.requests", {}, 3));
  REQUIRE(metrics::addToCounter("unit.done_total", {}, 2));
  REQUIRE(metrics::setGauge("unit.level", {}, 2.5));
  std::vector<metrics::Label> labels = {{"route", "/a\"b"}};
  REQUIRE(metrics::addToCounter("unit.labelled", labels, 1));
  for (double v : {0.0, 0.75, 1.0, 3.0}) REQUIRE(metrics::recordInHistogram("unit.latency", {}, v));
  std::string text = observe::renderMetrics();
  CHECK(hasLine(text, "# TYPE unit_requests_total counter"));
  CHECK(hasLine(text, "unit_requests_total 3"));
  CHECK(hasLine(text, "unit_done_total 2"));  // already ends in _total
  CHECK(hasLine(text, "# TYPE unit_level gauge"));
  CHECK(hasLine(text, "unit_level 2.5"));
  CHECK(hasLine(text, "unit_labelled_total{route=\"/a\\\"b\"} 1"));
  CHECK(hasLine(text, "# TYPE unit_latency histogram"));
  CHECK(hasLine(text, "unit_latency_bucket{le=\"0\"} 1"));
  CHECK(hasLine(text, "unit_latency_bucket{le=\"1\"} 3"));
  CHECK(hasLine(text, "unit_latency_bucket{le=\"4\"} 4"));
  CHECK(hasLine(text, "unit_latency_bucket{le=\"+Inf\"} 4"));
  CHECK(hasLine(text, "unit_latency_sum 4.75"));
  CHECK(hasLine(text, "unit_latency_count 4"));
  CHECK(hasLine(text, "# TYPE lunatic_processes_alive gauge"));
}

TEST_CASE("prometheus: a family whose name is taken is left out, the rest stays valid") {
  REQUIRE(metrics::setGauge("lunatic_processes_alive", {}, 7));  // the runtime's own name
  REQUIRE(metrics::setGauge("clash", {}, 1));
  REQUIRE(metrics::recordInHistogram("clash", {}, 1));  // its _bucket/_sum/_count are free, "clash" is not
  std::string text = observe::renderMetrics();
  CHECK(text.find("lunatic_processes_alive 7") == std::string::npos);
  CHECK(text.find("# left out: lunatic_processes_alive (gauge)") != std::string::npos);
  CHECK(hasLine(text, "clash 1"));
  CHECK(text.find("# left out: clash (histogram)") != std::string::npos);
  CHECK(text.find("clash_bucket") == std::string::npos);
  size_t types = 0;
  for (size_t at = text.find("# TYPE lunatic_processes_alive "); at != std::string::npos;
       at = text.find("# TYPE lunatic_processes_alive ", at + 1)) {
    ++types;
  }
  CHECK(types == 1);
}
