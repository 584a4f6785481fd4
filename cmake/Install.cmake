# `cmake --install`: the layout an installed drplan expects (compiler/install_paths.h), its
# drplan code in <datadir>/drplan beside <bindir>/drplan, plus the docs and the man page.
install(TARGETS drplan RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Directories, not lists: a new stdlib module or standard plan is installed without an edit here.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/stdlib/ DESTINATION ${CMAKE_INSTALL_DATADIR}/drplan/stdlib
        FILES_MATCHING PATTERN "*.dr")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/plans/ DESTINATION ${CMAKE_INSTALL_DATADIR}/drplan/plans
        FILES_MATCHING PATTERN "*.dr")
# docs/ keeps its name under the doc dir so the README's links to docs/*.md still work.
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs
        FILES_MATCHING PATTERN "*.md")
# Compressed, as Debian policy wants man pages; -n keeps the package reproducible (no mtime).
set(DRPLAN_MAN_GZ ${PROJECT_BINARY_DIR}/drplan.1.gz)
add_custom_command(OUTPUT ${DRPLAN_MAN_GZ}
  COMMAND gzip -9nc ${PROJECT_SOURCE_DIR}/docs/drplan.1 > ${DRPLAN_MAN_GZ}
  DEPENDS ${PROJECT_SOURCE_DIR}/docs/drplan.1)
add_custom_target(drplan_man ALL DEPENDS ${DRPLAN_MAN_GZ})
add_dependencies(drplan drplan_man)  # scripts/package builds the drplan target only
install(FILES ${DRPLAN_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
