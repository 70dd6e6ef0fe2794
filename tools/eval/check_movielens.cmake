# The eval_movielens test: runs smartshop_eval --json on the MovieLens sample
# and checks that the builtin ranker beats popularity as the prototype
# promised:
#   protocol 2 (per_user)  builtin HR@8 >= 1.5 x top sellers HR@8
#   protocol 1 (global)    builtin HR@8 >= recent top sellers HR@8
# Usage: cmake -DEVAL=<smartshop_eval> -DDATA_DIR=<dir> -P check_movielens.cmake
if(NOT EXISTS "${DATA_DIR}/ratings.csv" OR NOT EXISTS "${DATA_DIR}/movies.csv")
  message("eval_movielens: SKIPPED, no MovieLens data in ${DATA_DIR}")
  return()
endif()

string(TIMESTAMP start "%s" UTC)
execute_process(
  COMMAND "${EVAL}" --json "--ratings=${DATA_DIR}/ratings.csv"
          "--movies=${DATA_DIR}/movies.csv"
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  RESULT_VARIABLE rc)
string(TIMESTAMP end "%s" UTC)
math(EXPR seconds "${end} - ${start}")
message("${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "smartshop_eval exited with ${rc}:\n${out}")
endif()

function(get_number var)
  string(JSON value ERROR_VARIABLE error GET "${out}" ${ARGN})
  if(error)
    message(FATAL_ERROR "no ${ARGN} in the output: ${error}\n${out}")
  endif()
  set(${var} "${value}" PARENT_SCOPE)
endfunction()

get_number(p2_top protocols per_user methods top_sellers hr_at_8)
get_number(p2_builtin protocols per_user methods builtin hr_at_8)
get_number(p2_ratio protocols per_user builtin_over_top_sellers_hr)
get_number(p2_users protocols per_user users_evaluated)
get_number(p1_recent protocols global methods recent_top_sellers hr_at_8)
get_number(p1_builtin protocols global methods builtin hr_at_8)
get_number(p1_users protocols global users_evaluated)
message("protocol 2: ${p2_users} users, builtin HR@8 ${p2_builtin}, "
        "top sellers ${p2_top} (x${p2_ratio})")
message("protocol 1: ${p1_users} users, builtin HR@8 ${p1_builtin}, "
        "recent top sellers ${p1_recent}")
message("smartshop_eval took about ${seconds}s")

if(p2_users LESS 100 OR p1_users LESS 10)
  message(FATAL_ERROR "too few users evaluated to mean anything")
endif()
if(p2_top LESS_EQUAL 0 OR p2_ratio LESS 1.5)
  message(FATAL_ERROR "protocol 2: builtin HR@8 ${p2_builtin} is not >= 1.5 x "
                      "top sellers HR@8 ${p2_top}")
endif()
if(p1_builtin LESS p1_recent)
  message(FATAL_ERROR "protocol 1: builtin HR@8 ${p1_builtin} is below recent "
                      "top sellers HR@8 ${p1_recent}")
endif()
