// A text file compiled into the binary (see cmake/EmbedFiles.cmake).
#ifndef SMARTSHOP_COMMON_EMBEDDED_FILE_H_
#define SMARTSHOP_COMMON_EMBEDDED_FILE_H_

#include <string>
#include <vector>

namespace smartshop {

struct EmbeddedFile {
  std::string name;     // file name without directories
  std::string content;  // the file's bytes
};

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_EMBEDDED_FILE_H_
