# The model_cost_replay test: runs smartshop_model_cost_replay on the
# shipped Online Retail sample and checks its table: both policies' columns
# are there, both served every request, the same number of answers, and the
# original made model calls (so the ratio means something). The target
# (ours <= 25 % of the original's calls, no more stale answers) is reported
# in the README, not checked here.
# Usage: cmake -DREPLAY=<tool> -DCSV=<OnlineRetail.csv> -P check_model_cost_replay.cmake
if(NOT EXISTS "${CSV}")
  message("model_cost_replay: SKIPPED, no Online Retail sample at ${CSV}")
  return()
endif()
execute_process(
  COMMAND "${REPLAY}" "--csv=${CSV}"
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  RESULT_VARIABLE rc)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "smartshop_model_cost_replay exited with ${rc}:\n${err}")
endif()
if(NOT out MATCHES "\\| \\| original \\| ours[^|]*\\| ours / original \\|")
  message(FATAL_ERROR "no table with both policies in the output")
endif()
if(NOT out MATCHES "\\| home page answers served \\| ([0-9]+) \\| ([0-9]+) \\|")
  message(FATAL_ERROR "no answers row in the table")
endif()
set(original_answers ${CMAKE_MATCH_1})
set(ours_answers ${CMAKE_MATCH_2})
if(NOT original_answers EQUAL ours_answers OR original_answers EQUAL 0)
  message(FATAL_ERROR "answers served differ or are none: original "
    "${original_answers}, ours ${ours_answers}")
endif()
if(NOT out MATCHES "Model cost replay of [^:]*: ([0-9]+) visits, ([0-9]+) home page requests per visit")
  message(FATAL_ERROR "no visit count in the output")
endif()
math(EXPR requests "${CMAKE_MATCH_1} * ${CMAKE_MATCH_2}")
if(NOT requests EQUAL original_answers)
  message(FATAL_ERROR "${requests} requests but ${original_answers} answers")
endif()
if(NOT out MATCHES "\\| model calls \\| ([0-9]+) \\|" OR CMAKE_MATCH_1 EQUAL 0)
  message(FATAL_ERROR "the original policy made no model call")
endif()
