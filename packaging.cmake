# SPDX-License-Identifier: Apache-2.0
# Install layout and the Debian package (cpack -G DEB).
include(GNUInstallDirs)

set(NFCE_SHARE ${CMAKE_INSTALL_DATADIR}/nf-conntrack-exporter)
set(NFCE_DOC ${CMAKE_INSTALL_DATADIR}/doc/nf-conntrack-exporter)
install(FILES deploy/systemd/nf_conntrack_exporter.service
        DESTINATION lib/systemd/system)
install(FILES deploy/systemd/nf_conntrack_exporter.default
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/default
        RENAME nf_conntrack_exporter)
install(FILES deploy/prometheus/alerts.yml deploy/prometheus/rules.yml
        deploy/prometheus/prometheus.yml
        DESTINATION ${NFCE_SHARE}/prometheus)
install(FILES deploy/alertmanager/alertmanager.yml
        DESTINATION ${NFCE_SHARE}/alertmanager)
install(FILES dashboards/nf-conntrack.json DESTINATION ${NFCE_SHARE}/dashboards)
install(DIRECTORY dashboards/provisioning DESTINATION ${NFCE_SHARE}/dashboards)
install(FILES README.md docs/metrics.md docs/runbook.md docs/performance.md
        docs/collectors.md docs/configuration.md docs/doctor.md docs/monitoring.md
        DESTINATION ${NFCE_DOC})
# Debian policy 12.5: the licence, machine-readable, as doc/<package>/copyright.
install(FILES deploy/debian/copyright DESTINATION ${NFCE_DOC})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME nf-conntrack-exporter)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Prometheus exporter for the Linux connection tracking table")
set(CPACK_PACKAGE_DESCRIPTION
    "Serves nf_conntrack's entries, limit, hash buckets, drop counters, slab memory and timeouts to Prometheus, with alert rules, an Alertmanager example and a Grafana dashboard.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "nf_conntrack_exporter developers")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# Library dependencies come from the binary itself (dpkg-shlibdeps).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "conntrack")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles)
include(CPack)
