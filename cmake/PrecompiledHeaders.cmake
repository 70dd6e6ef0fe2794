# Precompiled third-party headers. Parsing gRPC, protobuf and Abseil costs
# about 3 s of CPU per source file; two precompiled headers, built once per
# build tree and reused by every target, cost about 0.6 s (1 s with
# GoogleTest) per file to load instead.
#
#   smartshop_add_pch_targets()           before the targets (root list)
#   smartshop_precompile_everything()     after the last add_subdirectory()
#
# g++ takes a precompiled header only when the macros it saw are defined the
# same way in the file that loads it, so the two carry no -D of their own
# but GoogleTest's GTEST_HAS_PTHREAD: `smartshop_test_pch` serves the targets
# that link GoogleTest, `smartshop_pch` all others. A target whose flags do
# not match compiles as before (the headers are read as text; -Winvalid-pch
# says so). -DSMARTSHOP_PCH=OFF turns them off.
option(SMARTSHOP_PCH "precompile the gRPC, protobuf, Abseil and GoogleTest headers" ON)
# Test code (what links GoogleTest) is built without optimisation: it is
# more than half of the build's compile time, and its speed matters little,
# as the code it tests lives in the optimised libraries. Off gives it the
# build type's flags. The test precompiled header follows, as it must match.
option(SMARTSHOP_FAST_TEST_BUILD "compile test code at -O0" ON)
set(SMARTSHOP_TEST_CODE_OPTIONS)
if(SMARTSHOP_FAST_TEST_BUILD)
  set(SMARTSHOP_TEST_CODE_OPTIONS -O0)
endif()

set(SMARTSHOP_PCH_HEADERS
  <grpcpp/grpcpp.h> <google/protobuf/message.h> <google/protobuf/timestamp.pb.h>)
foreach(header container/flat_hash_map container/flat_hash_set flags/flag
        status/status status/statusor strings/str_cat strings/str_format
        strings/string_view synchronization/mutex time/clock time/time types/span)
  list(APPEND SMARTSHOP_PCH_HEADERS <absl/${header}.h>)
endforeach()
list(APPEND SMARTSHOP_PCH_HEADERS <string> <vector>)

function(smartshop_add_pch_targets)
  if(NOT SMARTSHOP_PCH)
    return()
  endif()
  # A target needs a source of its own; the header is compiled beside it.
  set(anchor ${CMAKE_BINARY_DIR}/smartshop_pch_anchor.cc)
  file(CONFIGURE OUTPUT ${anchor}
       CONTENT "// Anchors the precompiled headers (cmake/PrecompiledHeaders.cmake).\n")
  set(pch_libraries gRPC::grpc++ protobuf::libprotobuf absl::flat_hash_map
      absl::flat_hash_set absl::flags absl::status absl::statusor
      absl::strings absl::str_format absl::synchronization absl::time
      absl::span)
  add_library(smartshop_pch OBJECT ${anchor})
  target_link_libraries(smartshop_pch PRIVATE ${pch_libraries})
  target_precompile_headers(smartshop_pch PRIVATE ${SMARTSHOP_PCH_HEADERS})

  add_library(smartshop_test_pch OBJECT ${anchor})
  target_link_libraries(smartshop_test_pch PRIVATE ${pch_libraries} GTest::gmock)
  target_precompile_headers(smartshop_test_pch PRIVATE
    ${SMARTSHOP_PCH_HEADERS} <gmock/gmock.h> <gtest/gtest.h>)
  target_compile_options(smartshop_test_pch PRIVATE ${SMARTSHOP_TEST_CODE_OPTIONS})
endfunction()

# Whether `target` links GoogleTest itself (the test executables and test
# libraries do; what links them only through another library is rare and
# merely misses the precompiled header).
function(_smartshop_links_gtest out target)
  get_target_property(libraries ${target} LINK_LIBRARIES)
  set(${out} FALSE PARENT_SCOPE)
  foreach(library IN LISTS libraries)
    if(library MATCHES "^GTest::")
      set(${out} TRUE PARENT_SCOPE)
    endif()
  endforeach()
endfunction()

# Also gives test code SMARTSHOP_TEST_CODE_OPTIONS, PCH or not.
function(smartshop_precompile_everything)
  smartshop_targets_under(targets ${PROJECT_SOURCE_DIR})
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|OBJECT_LIBRARY)$"
       AND NOT target MATCHES "^smartshop(_test)?_pch$")
      _smartshop_links_gtest(test ${target})
      if(test)
        target_compile_options(${target} PRIVATE ${SMARTSHOP_TEST_CODE_OPTIONS})
      endif()
    endif()
    if(NOT SMARTSHOP_PCH)
      continue()
    endif()
    get_target_property(own ${target} PRECOMPILE_HEADERS)
    get_target_property(reused ${target} PRECOMPILE_HEADERS_REUSE_FROM)
    if(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|OBJECT_LIBRARY)$"
       OR own OR reused OR target MATCHES "^smartshop(_test)?_pch$")
      continue()
    endif()
    _smartshop_links_gtest(test ${target})
    if(test)
      target_precompile_headers(${target} REUSE_FROM smartshop_test_pch)
    else()
      target_precompile_headers(${target} REUSE_FROM smartshop_pch)
    endif()
  endforeach()
endfunction()
