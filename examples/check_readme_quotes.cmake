# Fails unless README.md contains EXAMPLE's text verbatim, so the usage
# example people copy is the one the build compiles and the tests run.
file(READ "${README}" readme)
file(READ "${EXAMPLE}" example)
string(FIND "${readme}" "${example}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "README.md does not quote ${EXAMPLE} verbatim")
endif()
