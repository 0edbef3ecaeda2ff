// SPDX-License-Identifier: Apache-2.0
/* Force-included into civetweb.c (cmake/civetweb.cmake), which is compiled
 * with listen, accept and close renamed to nfce_front_door_*: the system
 * headers below then declare those names with the system's prototypes, and
 * exporter/http/front_door.cc defines them. Only civetweb's own calls pass
 * through the front door. */
#include <sys/socket.h>
#include <unistd.h>
