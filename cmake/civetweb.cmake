# SPDX-License-Identifier: Apache-2.0
# civetweb from Debian 12's own source package (scripts/fetch-civetweb.sh:
# 1.15+dfsg-4, checksums pinned, Debian's patches applied), compiled into the
# exporter: with IPv6, which Debian's libcivetweb1 is built without, and with
# OpenSSL linked rather than dlopen()ed as "libssl.so" (which needs a
# development symlink and, with OpenSSL 3, a shim for a removed symbol).
set(NFCE_CIVETWEB_SOURCE ${PROJECT_SOURCE_DIR}/.deps/civetweb CACHE PATH
    "civetweb's source tree (scripts/fetch-civetweb.sh)")
if(NOT EXISTS ${NFCE_CIVETWEB_SOURCE}/src/civetweb.c)
  message(FATAL_ERROR
    "civetweb's source is not in ${NFCE_CIVETWEB_SOURCE}: run "
    "scripts/install-deps.sh, which fetches Debian's civetweb source package "
    "(or scripts/fetch-civetweb.sh DIR and -DNFCE_CIVETWEB_SOURCE=DIR)")
endif()
enable_language(C)
find_package(Threads REQUIRED)
add_library(nfce_civetweb STATIC
  ${NFCE_CIVETWEB_SOURCE}/src/civetweb.c
  ${NFCE_CIVETWEB_SOURCE}/src/CivetServer.cpp
  ${PROJECT_SOURCE_DIR}/exporter/http/front_door.cc)
add_library(nfce::civetweb ALIAS nfce_civetweb)
target_include_directories(nfce_civetweb SYSTEM
  PUBLIC ${NFCE_CIVETWEB_SOURCE}/include)
target_compile_definitions(nfce_civetweb PRIVATE
  USE_IPV6 NO_SSL_DL OPENSSL_API_3_0 NO_CGI)
target_include_directories(nfce_civetweb PRIVATE ${PROJECT_SOURCE_DIR})
set_source_files_properties(${NFCE_CIVETWEB_SOURCE}/src/CivetServer.cpp
  PROPERTIES COMPILE_OPTIONS -w)
# civetweb's listen(), accept() and close() go through the exporter's front
# door (exporter/http/front_door.h), which keeps connections it cannot serve
# from holding its threads.
set_source_files_properties(${NFCE_CIVETWEB_SOURCE}/src/civetweb.c PROPERTIES
  COMPILE_OPTIONS "-w;-include;${PROJECT_SOURCE_DIR}/exporter/http/front_door_seam.h"
  COMPILE_DEFINITIONS
    "listen=nfce_front_door_listen;accept=nfce_front_door_accept;close=nfce_front_door_close")
target_link_libraries(nfce_civetweb
  PUBLIC OpenSSL::SSL OpenSSL::Crypto Threads::Threads ${CMAKE_DL_LIBS}
         prometheus-cpp::core absl::time absl::strings)
