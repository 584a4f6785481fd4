# scripts/package: a Debian package of the install layout (cmake/Install.cmake), by CPack.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME drplan)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "disaster-recovery runbooks as code")
string(JOIN " " CPACK_PACKAGE_DESCRIPTION
  "drplan compiles runbooks written in a small typed language (*.dr) into a dependency graph"
  "of checks, actions, gates and waits, validates them (drplan check), shows what would run"
  "where (drplan plan) and runs them (drplan apply), journaled, with rollback. With its"
  "standard library and the standard failover, failback and restore plans.")
set(DRPLAN_PACKAGE_CONTACT "drplan maintainers <drplan@localhost>" CACHE STRING "The .deb's Maintainer field")
set(CPACK_PACKAGE_CONTACT ${DRPLAN_PACKAGE_CONTACT})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # drplan_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
# The build is RelWithDebInfo: the package carries the binary without its debug info.
set(CPACK_STRIP_FILES ON)
# `drplan graph -o x.svg` renders through dot.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS graphviz)
# Depends: computed from the binary by dpkg-shlibdeps (dpkg-dev, installed by scripts/setup);
# without it, the packages of the libraries the binary needs on Debian 12 (readelf -d: NEEDED).
find_program(DRPLAN_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(DRPLAN_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libantlr4-runtime4.9, libc6 (>= 2.34), libfmt9, libgcc-s1, libre2-9, libspdlog1.10-fmt9, libssh-4, libssl3, libstdc++6 (>= 12)")
endif()
include(CPack)
