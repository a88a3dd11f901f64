#include <algorithm>
#include <map>
#include <string_view>

#include "observo/metrics/hub.h"

namespace observo::metrics {

std::size_t FamilyView::series_count() const {
  std::size_t n = 0;
  for (const auto* part : parts) n += part->size();
  return n;
}

std::size_t Exposition::series_count() const {
  std::size_t n = 0;
  for (const auto& family : families) n += family.series_count();
  return n;
}

Exposition make_exposition(std::vector<SnapshotPtr> snapshots) {
  Exposition exposition;
  // Group by name; cost is per family, not per series.
  std::map<std::string_view, FamilyView> by_name;
  for (const auto& snapshot : snapshots) {
    if (!snapshot) continue;
    for (const auto& family : snapshot->families) {
      if (family.series.empty()) continue;
      auto [it, inserted] = by_name.try_emplace(family.name);
      FamilyView& view = it->second;
      if (inserted) view.meta = &family;
      // A family of the same name but another type cannot share the exposition; the first wins.
      if (view.meta->type != family.type) continue;
      view.parts.push_back(&family.series);
    }
  }
  exposition.families.reserve(by_name.size());
  for (auto& [name, view] : by_name) exposition.families.push_back(std::move(view));
  exposition.keep_alive = std::move(snapshots);
  return exposition;
}

}  // namespace observo::metrics
