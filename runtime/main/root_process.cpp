// Root processes (root_process.h).
#include "runtime/main/root_process.h"

#include "lunatic/embed.h"
#include "runtime/process/module_image.h"

namespace lunatic::rt {

SpawnRequest rootProcessRequest(ModuleImage* image, std::string_view entry, wasi::WasiConfigPtr view) {
  SpawnRequest request;
  request.image = image;
  request.function = entry.data();
  request.function_length = entry.size();
  if (const char* signature = image->exportSignature(entry)) {
    for (const char* c = signature; *c && *c != ':'; ++c) {
      request.params.emplace_back();
      request.param_types.push_back(*c);
    }
  }
  request.capabilities.wasi = std::move(view);
  request.watched = true;
  request.report_traps = false;
  return request;
}

std::string trapReport(const Death& death) {
  std::string report = "trap: ";
  report += death.host_failure.empty() ? lunatic_trap_message(death.trap) : death.host_failure;
  report += '\n';
  return report + death.backtrace;
}

}  // namespace lunatic::rt
