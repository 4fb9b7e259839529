# Interface targets carrying our warnings and sanitizer flags; every stage links them.
add_library(skyfuse_warnings INTERFACE)
target_compile_options(skyfuse_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
if(SKYFUSE_WARNINGS_AS_ERRORS)
  target_compile_options(skyfuse_warnings INTERFACE -Werror)
endif()

add_library(skyfuse_options INTERFACE)
target_compile_features(skyfuse_options INTERFACE cxx_std_20)
if(SKYFUSE_SANITIZE)
  target_compile_options(skyfuse_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                   -fno-sanitize-recover=undefined)
  target_link_options(skyfuse_options INTERFACE -fsanitize=address,undefined)
endif()
if(SKYFUSE_ASSERTS)
  target_compile_definitions(skyfuse_options INTERFACE SKYFUSE_ENABLE_ASSERTS=1)
endif()

# skyfuse_add_library(<stage> SOURCES ... DEPS ...): one library target per stage.
function(skyfuse_add_library stage)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(skyfuse_${stage} ${ARG_SOURCES})
  add_library(skyfuse::${stage} ALIAS skyfuse_${stage})
  target_include_directories(skyfuse_${stage} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(skyfuse_${stage} PUBLIC skyfuse_options ${ARG_PUBLIC_DEPS}
                                         PRIVATE skyfuse_warnings ${ARG_PRIVATE_DEPS})
endfunction()

# skyfuse_add_test(<stage> <name> [LIBS ...] [LABELS ...]): tests/<stage>/<name>_test.cpp
function(skyfuse_add_test stage name)
  cmake_parse_arguments(ARG "" "" "LIBS;LABELS" ${ARGN})
  set(target ${stage}_${name}_test)
  add_executable(${target} ${name}_test.cpp)
  target_link_libraries(${target} PRIVATE skyfuse_warnings skyfuse_options ${ARG_LIBS} GTest::gtest_main GTest::gmock)
  target_compile_definitions(${target} PRIVATE SKYFUSE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                               SKYFUSE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  add_test(NAME ${stage}.${name} COMMAND ${target})
  set_tests_properties(${stage}.${name} PROPERTIES LABELS "${stage};${ARG_LABELS}")
endfunction()
