# How targets are declared: one library per unit, as abseil does
# (absl_cc_library), test-only code marked, and a configure-time check that
# no production target links it.
#
# smartshop_cc_library(NAME <target> [TESTONLY] [SRCS ...] [DEPS ...])
#   Without SRCS the library is header-only (INTERFACE). TESTONLY marks a
#   library for tests only (abseil's TESTONLY): its name starts with
#   smartshop_testing_, it gets the SMARTSHOP_TESTONLY property, and the
#   configure fails when a production target links it (below).
# smartshop_cc_test(<target> SRCS ... DEPS ...): a GoogleTest binary.
function(smartshop_cc_library)
  cmake_parse_arguments(LIB "TESTONLY" "NAME" "SRCS;DEPS" ${ARGN})
  if(LIB_SRCS)
    add_library(${LIB_NAME} ${LIB_SRCS})
    target_include_directories(${LIB_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${LIB_NAME} PUBLIC ${LIB_DEPS})
  else()
    add_library(${LIB_NAME} INTERFACE)
    target_include_directories(${LIB_NAME} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${LIB_NAME} INTERFACE ${LIB_DEPS})
  endif()
  if(LIB_TESTONLY)
    set_target_properties(${LIB_NAME} PROPERTIES SMARTSHOP_TESTONLY TRUE)
  endif()
endfunction()

function(smartshop_cc_test name)
  cmake_parse_arguments(TEST "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${TEST_SRCS})
  target_link_libraries(${name} PRIVATE ${TEST_DEPS} GTest::gmock_main)
  set_target_properties(${name} PROPERTIES SMARTSHOP_TESTONLY TRUE)
  gtest_discover_tests(${name})
endfunction()


# Production targets never link test code: every target of common/ and
# services/ other than their tests (*_test) is checked, with all it links,
# for a SMARTSHOP_TESTONLY library once every target exists.
# A target found clean is remembered (a global property): the link graph is
# a DAG with many shared libraries below, and walking every path instead of
# every target took a minute of each configure.
function(smartshop_find_testonly_link target chain)
  get_property(clean GLOBAL PROPERTY SMARTSHOP_LINKS_CLEAN_${target})
  if(clean)
    return()
  endif()
  get_target_property(imported ${target} IMPORTED)
  if(imported)
    return()
  endif()
  get_target_property(testonly ${target} SMARTSHOP_TESTONLY)
  if(testonly)
    message(FATAL_ERROR "production target links test-only code: ${chain}")
  endif()
  get_target_property(type ${target} TYPE)
  set(linked)
  if(NOT type STREQUAL "INTERFACE_LIBRARY")
    get_target_property(linked ${target} LINK_LIBRARIES)
  endif()
  get_target_property(interface ${target} INTERFACE_LINK_LIBRARIES)
  foreach(dependency IN LISTS linked interface)
    if(TARGET ${dependency})
      smartshop_find_testonly_link(${dependency} "${chain} -> ${dependency}")
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY SMARTSHOP_LINKS_CLEAN_${target} TRUE)
endfunction()

# Every target declared in `directory` and the directories below it.
function(smartshop_targets_under out directory)
  get_property(found DIRECTORY ${directory} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirectories DIRECTORY ${directory} PROPERTY SUBDIRECTORIES)
  foreach(subdirectory IN LISTS subdirectories)
    smartshop_targets_under(below ${subdirectory})
    list(APPEND found ${below})
  endforeach()
  set(${out} ${found} PARENT_SCOPE)
endfunction()

function(smartshop_check_production_links directory)
  smartshop_targets_under(targets ${directory})
  foreach(target IN LISTS targets)
    get_target_property(testonly ${target} SMARTSHOP_TESTONLY)
    if(NOT testonly AND NOT target MATCHES "_test$")
      smartshop_find_testonly_link(${target} ${target})
    endif()
  endforeach()
endfunction()

function(smartshop_check_all_production_links)
  smartshop_check_production_links(${PROJECT_SOURCE_DIR}/common)
  smartshop_check_production_links(${PROJECT_SOURCE_DIR}/services/tracking)
  smartshop_check_production_links(${PROJECT_SOURCE_DIR}/services/recommender)
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR}
  CALL smartshop_check_all_production_links)
