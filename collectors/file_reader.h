#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace nfce {

// Reads a whole (pseudo) file. Errors carry the path and map errno:
// ENOENT -> NotFound, EACCES/EPERM -> PermissionDenied.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

bool PathExists(const std::string& path);

// Names of the regular entries in `dir`, sorted; NotFound if it is missing.
absl::StatusOr<std::vector<std::string>> ListDirectory(const std::string& dir);

}  // namespace nfce
