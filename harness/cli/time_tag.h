// The UTC time stamp the CLI puts in default result file names and "started" /
// "measured_at" fields: 20261202T013045Z (sortable, no characters a shell or a file
// system minds).
#pragma once

#include <ctime>
#include <string>

namespace amxlab::cli {

inline std::string utc_time_tag() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace amxlab::cli
