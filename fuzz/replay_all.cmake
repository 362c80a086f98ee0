# ctest `fuzz_regressions`: replays fuzz/corpus/TARGET/ and fuzz/regressions/TARGET/
# through each target's replay program (REPLAY_TARGET). Fails on the first target
# that crashes or aborts; the program names the file it was reading.
string(REPLACE "," ";" TARGETS "${TARGETS}")
foreach(target IN LISTS TARGETS)
  set(dirs)
  foreach(kind corpus regressions)
    if(IS_DIRECTORY ${FUZZ_DIR}/${kind}/${target})
      list(APPEND dirs ${FUZZ_DIR}/${kind}/${target})
    endif()
  endforeach()
  if(NOT dirs)
    message(FATAL_ERROR "fuzz target ${target} has no seed corpus in ${FUZZ_DIR}/corpus/${target}")
  endif()
  execute_process(COMMAND ${REPLAY_${target}} ${dirs} RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "fuzz target ${target} failed (${status}) on an input above")
  endif()
endforeach()
