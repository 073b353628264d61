// Placeholder list until the lunatic::* host APIs land.
#include "host.h"
namespace lunatic::rt {
std::span<const HostFunction> lunaticHostFunctions() { return {}; }
}
