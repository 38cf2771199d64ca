// File I/O with the conventions every tool follows (DESIGN.md §4): "-" means stdin/stdout,
// outputs are written atomically so a failure never leaves a half-written file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace shoal {

// Reads a whole file ("-" = stdin). Errors name the file and the reason.
std::string read_file(const std::string& path);
// Writes via a temporary file in the same directory and a rename ("-" = stdout).
void write_file_atomic(const std::string& path, std::string_view data);
// A copy that is whole or absent at any moment (write_file_atomic of the source's bytes).
void copy_file_atomic(const std::filesystem::path& from, const std::filesystem::path& to);
bool stdout_is_terminal();
// Creates a directory and its parents; an Error names it on failure.
void make_dirs(const std::filesystem::path& dir);
// The user's cache directory for one kind of cached result: $OVERRIDE_ENV if set, else
// $XDG_CACHE_HOME/shoal/NAME, else ~/.cache/shoal/NAME; empty if none of them is set.
std::filesystem::path user_cache_dir(const char* name, const char* override_env);

}  // namespace shoal
