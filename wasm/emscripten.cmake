# Included by the top-level CMakeLists.txt when building with Emscripten (preset `wasm`),
# before the core is added, so every object of the build shares these settings.

# C++ exceptions: the core reports every failure by throwing dealercalc::Failure, so
# exceptions must be caught inside WASM. Emscripten 3.1.6 offers two implementations;
# both were measured (numbers in wasm/README.md and bench/results/wasm-size.json).
#   wasm: -fwasm-exceptions, native WebAssembly exception handling (Node >= 17,
#         Chrome/Edge >= 95, Firefox >= 100, Safari >= 15.2).
#   js:   -fexceptions, exceptions emulated through JavaScript (any WebAssembly engine).
set(DEALERCALC_WASM_EXCEPTIONS "wasm" CACHE STRING "C++ exceptions in the WASM build: wasm or js")
set_property(CACHE DEALERCALC_WASM_EXCEPTIONS PROPERTY STRINGS wasm js)
if(DEALERCALC_WASM_EXCEPTIONS STREQUAL "wasm")
  set(DEALERCALC_WASM_EH_FLAG -fwasm-exceptions)
elseif(DEALERCALC_WASM_EXCEPTIONS STREQUAL "js")
  set(DEALERCALC_WASM_EH_FLAG -fexceptions)
else()
  message(FATAL_ERROR "DEALERCALC_WASM_EXCEPTIONS must be wasm or js, not '${DEALERCALC_WASM_EXCEPTIONS}'")
endif()
add_compile_options(${DEALERCALC_WASM_EH_FLAG})
add_link_options(${DEALERCALC_WASM_EH_FLAG})
# Smallest code for the release flavour (CMake's MinSizeRel default is -Os), with
# link-time optimisation: about 5 % smaller and markedly faster than without.
set(DEALERCALC_WASM_COMPILE_OPT "-Oz" CACHE STRING "Optimisation of the WASM build's compile steps (MinSizeRel)")
add_compile_options($<$<CONFIG:MinSizeRel>:${DEALERCALC_WASM_COMPILE_OPT}> $<$<CONFIG:MinSizeRel>:-flto>)
add_link_options($<$<CONFIG:MinSizeRel>:-flto>)
# Speed at no size cost (batch through Node: ~37k -> ~110k rows/s, the module 2 KB smaller;
# wasm/README.md, "Speed"):
# - emcc 3.1.6 turns -Os/-Oz into INLINING_LIMIT=1, i.e. clang -fno-inline-functions: every
#   function of the core, std::string::size() included, gets `noinline`. -Oz without it
#   still inlines only what makes code smaller. Must come after the -O flags above.
# - std::string's members otherwise come out of Emscripten's prebuilt libc++.a, built with
#   -Oz and so with the same no-inlining: append(), push_back() and their size() and
#   __is_long() helpers were each a call. Without the extern templates they are compiled
#   here, with the flags above, and inline into the core.
# - bulk memory: memcpy/memset of known size become memory.copy/memory.fill instead of
#   the byte-by-byte loop of the -Oz libc. Every engine with WASM exceptions has it
#   (Chrome 75, Firefox 79, Safari 15, Node 12.5).
add_compile_options(-sINLINING_LIMIT=0 -D_LIBCPP_DISABLE_EXTERN_TEMPLATE -mbulk-memory)
add_link_options(-mbulk-memory)

# Emscripten's sysroot does not see /usr/include, and adding all of it would mix the
# host's libc headers into the build. Header-only libraries the build needs are linked
# one by one into directories that contain nothing else.
function(dealercalc_host_headers subdir probe destination)
  if(EXISTS "${destination}/${probe}")
    return()
  endif()
  find_path(_dealercalc_host_dir "${probe}" PATHS /usr/include /usr/local/include
            NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
  if(NOT _dealercalc_host_dir)
    message(FATAL_ERROR "${probe} not found under /usr/include (scripts/setup.sh --all installs it)")
  endif()
  file(MAKE_DIRECTORY "${destination}")
  file(CREATE_LINK "${_dealercalc_host_dir}/${subdir}" "${destination}/${subdir}" COPY_ON_ERROR SYMBOLIC)
  unset(_dealercalc_host_dir CACHE)
endfunction()

if(NOT DEALERCALC_JSON_INCLUDE_DIR)
  set(DEALERCALC_JSON_INCLUDE_DIR "${CMAKE_BINARY_DIR}/wasm-include" CACHE PATH
      "Directory holding nlohmann/json.hpp (for the WASM build)" FORCE)
endif()
dealercalc_host_headers(nlohmann nlohmann/json.hpp "${DEALERCALC_JSON_INCLUDE_DIR}")

# doctest for the WASM test build: tests/CMakeLists.txt keeps a DOCTEST_INCLUDE_DIR that
# is already set, so point it at a directory holding only doctest/.
dealercalc_host_headers(doctest doctest/doctest.h "${CMAKE_BINARY_DIR}/doctest-include")
set(DOCTEST_INCLUDE_DIR "${CMAKE_BINARY_DIR}/doctest-include" CACHE PATH "doctest headers (WASM build)" FORCE)
