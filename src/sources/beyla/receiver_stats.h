// ReceiverStats kept as prometheus-cpp counters in the Hub's live registry, so the receivers'
// self-metrics are exposed with everything else at /metrics (names in receiver.h).
#pragma once

#include <memory>

#include "sources/beyla/receiver.h"

namespace prometheus {
class Registry;
}

namespace observo::beyla {

// Registers the families (again returning the existing ones when they are already there).
std::unique_ptr<ReceiverStats> make_receiver_stats(prometheus::Registry& registry);

}  // namespace observo::beyla
