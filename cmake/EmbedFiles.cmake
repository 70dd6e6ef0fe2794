# smartshop_embed_files(<out_var> OUTPUT <file.cc> HEADER <include path>
#                       NAMESPACE <ns> FUNCTION <name> FILES <files...>)
# Generates <file.cc> defining `const std::vector<EmbeddedFile>& <name>()`
# (declared in HEADER) with the FILES' contents, sorted by file name, and
# appends it to <out_var>. Regenerated when a file changes.
function(smartshop_embed_files out_var)
  cmake_parse_arguments(ARG "" "OUTPUT;HEADER;NAMESPACE;FUNCTION" "FILES" ${ARGN})
  list(SORT ARG_FILES)
  add_custom_command(
    OUTPUT ${ARG_OUTPUT}
    COMMAND ${CMAKE_COMMAND}
      "-DFILES=${ARG_FILES}" -DOUTPUT=${ARG_OUTPUT} -DHEADER=${ARG_HEADER}
      -DNAMESPACE=${ARG_NAMESPACE} -DFUNCTION=${ARG_FUNCTION}
      -P ${PROJECT_SOURCE_DIR}/cmake/embed_files_script.cmake
    DEPENDS ${ARG_FILES} ${PROJECT_SOURCE_DIR}/cmake/embed_files_script.cmake
    COMMENT "Embedding ${ARG_FUNCTION}"
    VERBATIM)
  set(${out_var} ${${out_var}} ${ARG_OUTPUT} PARENT_SCOPE)
endfunction()
