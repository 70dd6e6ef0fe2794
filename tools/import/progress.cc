#include "tools/import/progress.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace smartshop::import {
namespace {

constexpr int kBarWidth = 30;

}  // namespace

Progress::Progress(std::string what, int64_t total, FILE* out)
    : Progress(std::move(what), total, out, isatty(fileno(out)) == 1) {}

Progress::Progress(std::string what, int64_t total, FILE* out, bool interactive)
    : what_(std::move(what)),
      total_(total),
      out_(out),
      interactive_(interactive),
      start_(absl::Now()) {}

void Progress::Update(int64_t done) {
  const int percent =
      total_ <= 0
          ? 100
          : static_cast<int>(std::clamp<int64_t>(done * 100 / total_, 0, 100));
  // Redraw only on a visible change: per percent on a terminal, per 10%
  // otherwise.
  const int step = interactive_ ? 1 : 10;
  if (last_percent_ >= 0 && percent / step == last_percent_ / step) return;
  last_percent_ = percent;
  // Without a terminal the final line is Finish's, which comes once the
  // work is acknowledged rather than merely handed over.
  if (!interactive_ && percent == 100) return;
  Draw(done);
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  last_percent_ = 100;
  if (interactive_) {
    Draw(total_);
    std::fputc('\n', out_);
  } else {
    absl::FPrintF(out_, "%s: done, %d in %.1fs\n", what_, total_,
                  absl::ToDoubleSeconds(absl::Now() - start_));
  }
  std::fflush(out_);
}

void Progress::Draw(int64_t done) {
  const int percent = last_percent_;
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
  if (interactive_) {
    const int filled = percent * kBarWidth / 100;
    // \r returns to the line start; \033[K clears what a longer line left.
    absl::FPrintF(out_, "\r%s [%s%s] %3d%% %d/%d (%.1fs)\033[K", what_,
                  std::string(filled, '#'),
                  std::string(kBarWidth - filled, '.'), percent, done, total_,
                  seconds);
  } else {
    absl::FPrintF(out_, "%s: %d%% %d/%d (%.1fs)\n", what_, percent, done,
                  total_, seconds);
  }
  std::fflush(out_);
}

}  // namespace smartshop::import
