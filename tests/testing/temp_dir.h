// A temporary directory of a test's own, removed with everything in it when
// the object goes away; and files written into it (tokens files, configs).
#ifndef SMARTSHOP_TESTS_TESTING_TEMP_DIR_H_
#define SMARTSHOP_TESTS_TESTING_TEMP_DIR_H_

#include <string>

namespace smartshop::testing {

class TempDir {
 public:
  // A new, empty directory under the system's temporary directory; a test
  // failure when it cannot be made.
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/`name`.
  std::string File(const std::string& name) const;
  // Writes `contents` to path()/`name` (replacing it); returns that path.
  std::string Write(const std::string& name, const std::string& contents) const;

 private:
  std::string path_;
};

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_TESTING_TEMP_DIR_H_
