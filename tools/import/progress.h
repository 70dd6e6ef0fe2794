// Progress of a long step on stderr: one line redrawn in place when stderr
// is a terminal; otherwise (logs, CI) a plain line every 10%, so that the
// output stays readable when it is not a terminal.
#ifndef SMARTSHOP_TOOLS_IMPORT_PROGRESS_H_
#define SMARTSHOP_TOOLS_IMPORT_PROGRESS_H_

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/time/time.h"

namespace smartshop::import {

class Progress {
 public:
  // `out` is not owned. `interactive` = redraw in place; by default, whether
  // `out` is a terminal.
  Progress(std::string what, int64_t total, FILE* out = stderr);
  Progress(std::string what, int64_t total, FILE* out, bool interactive);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // `done` of `total` are finished.
  void Update(int64_t done);
  // Draws the last state and ends the line.
  void Finish();

 private:
  void Draw(int64_t done);

  const std::string what_;
  const int64_t total_;
  FILE* const out_;
  const bool interactive_;
  const absl::Time start_;
  int last_percent_ = -1;
  bool finished_ = false;
};

}  // namespace smartshop::import

#endif  // SMARTSHOP_TOOLS_IMPORT_PROGRESS_H_
