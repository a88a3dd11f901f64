// The schema entry of pixie.clusters, a list of mappings: kept apart from schema.cpp because
// its conversion between PixieClusterConfig and the generic ObjectValue is longer than a line.
#pragma once

#include "observo/config/schema.h"

namespace observo::config {

KeySpec pixie_clusters_key();

}  // namespace observo::config
