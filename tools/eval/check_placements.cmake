# The eval_placements test: runs smartshop_eval --json on both shipped
# samples and checks the placement targets of issue 14: the builtin ranking
# >= 1.2 x the best baseline on HR@8, NDCG@8 and catalog coverage, for the
# product page and the cart. A target not met is listed in KNOWN_MISSES
# (dataset.placement.metric): it is reported with its number, not checked,
# so that the test guards what is met and says what is not.
# Usage: cmake -DEVAL=<smartshop_eval> -DDATA_DIR=<shared/data>
#              [-DKNOWN_MISSES=a;b] -P check_placements.cmake
cmake_policy(SET CMP0057 NEW)  # if(IN_LIST)
set(movielens "${DATA_DIR}/movielens-latest-small")
set(retail "${DATA_DIR}/online-retail-first10k/OnlineRetail.csv")
if(NOT EXISTS "${movielens}/ratings.csv" OR NOT EXISTS "${movielens}/movies.csv"
   OR NOT EXISTS "${retail}")
  message("eval_placements: SKIPPED, no MovieLens or Online Retail data in "
          "${DATA_DIR}")
  return()
endif()

set(target 1.2)
set(failures "")
set(misses "")
string(TIMESTAMP start "%s" UTC)
foreach(dataset movielens online_retail)
  execute_process(
    COMMAND "${EVAL}" --json "--dataset=${dataset}" --protocol=placements
            "--ratings=${movielens}/ratings.csv"
            "--movies=${movielens}/movies.csv" "--retail=${retail}"
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "smartshop_eval --dataset=${dataset} exited with "
                        "${rc}:\n${err}\n${out}")
  endif()
  foreach(placement product_page cart)
    string(JSON questions ERROR_VARIABLE error
           GET "${out}" placements ${placement} questions)
    if(error)
      message(FATAL_ERROR "no placements.${placement} in the output: "
                          "${error}\n${out}")
    endif()
    if(questions LESS 500)
      message(FATAL_ERROR "${dataset} ${placement}: only ${questions} "
                          "questions, too few to mean anything")
    endif()
    foreach(metric hr_at_8 ndcg_at_8 coverage)
      string(JSON builtin GET "${out}" placements ${placement} methods
             builtin ${metric})
      string(JSON baseline GET "${out}" placements ${placement}
             best_baseline ${metric})
      string(JSON best GET "${out}" placements ${placement} methods
             ${baseline} ${metric})
      string(JSON ratio GET "${out}" placements ${placement}
             builtin_over_best_baseline ${metric})
      string(CONCAT line "${dataset} ${placement} ${metric}: builtin "
             "${builtin}, best baseline ${baseline} ${best} (x${ratio})")
      if(ratio LESS target)
        if("${dataset}.${placement}.${metric}" IN_LIST KNOWN_MISSES)
          list(APPEND misses "${line}")
          message("${line}: NOT MET (known, not checked)")
        else()
          list(APPEND failures "${line}")
          message("${line}: FAILED")
        endif()
      else()
        message("${line}: met")
        if("${dataset}.${placement}.${metric}" IN_LIST KNOWN_MISSES)
          message("  (listed in KNOWN_MISSES but met: take it off the list)")
        endif()
      endif()
    endforeach()
  endforeach()
endforeach()
string(TIMESTAMP end "%s" UTC)
math(EXPR seconds "${end} - ${start}")
message("smartshop_eval took about ${seconds}s")
list(LENGTH misses missed)
if(missed GREATER 0)
  message("targets not met (builtin < ${target} x the best baseline), "
          "reported only:")
  foreach(line IN LISTS misses)
    message("  ${line}")
  endforeach()
endif()
if(failures)
  list(JOIN failures "\n  " text)
  message(FATAL_ERROR "below ${target} x the best baseline:\n  ${text}")
endif()
