# Works on a cluster that is not ours (issue 16): an installed rung runs a job from any
# directory; scripts/get-data.sh gets CIFAR-10 and Fashion-MNIST offline and fails clearly;
# scripts/install-deps.sh without root; `make test` installs before it configures.
# Included by tests/mpi/CMakeLists.txt (it uses mpi_output_check and the mpirun flags).
set(rung_setup_dir ${PROJECT_SOURCE_DIR}/tests/setup)
set(rung_setup_out ${CMAKE_CURRENT_BINARY_DIR}/out/setup)

add_test(NAME setup.install_prefix_runs_a_job_from_anywhere
         COMMAND ${rung_setup_dir}/install_case.sh ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR}
                 ${rung_setup_out}/install $<TARGET_FILE:mpi_output_check> "${rung_mpirun_flags}"
                 ${PROJECT_VERSION} ${rung_git_commit} "LibTorch ${Torch_VERSION}"
                 "HDF5 ${HDF5_VERSION}" "${MPI_CXX_VERSION}")
set_tests_properties(setup.install_prefix_runs_a_job_from_anywhere PROPERTIES TIMEOUT 300
                     PROCESSORS 2 RESOURCE_LOCK mpi)

add_test(NAME setup.get_data_fails_clearly_and_unpacks_flat
         COMMAND ${rung_setup_dir}/get_data_errors_case.sh ${PROJECT_SOURCE_DIR}
                 ${rung_setup_out}/get_data_errors)
set_tests_properties(setup.get_data_fails_clearly_and_unpacks_flat PROPERTIES TIMEOUT 120)
# Real data, offline; skipped where no mirror (or Debian package) has the data set.
foreach(name cifar10 fashion-mnist)
  add_test(NAME setup.get_data_${name}_offline_then_train
           COMMAND ${rung_setup_dir}/get_data_mirror_case.sh ${name} ${PROJECT_SOURCE_DIR}
                   $<TARGET_FILE:rung> ${rung_setup_out}/get_data_${name})
  set_tests_properties(setup.get_data_${name}_offline_then_train PROPERTIES TIMEOUT 300
                       SKIP_RETURN_CODE 77 RESOURCE_LOCK mpi)
endforeach()

add_test(NAME setup.install_deps_without_root
         COMMAND ${rung_setup_dir}/install_deps_case.sh ${PROJECT_SOURCE_DIR}
                 ${rung_setup_out}/install_deps)
# `make test` installs the test packages, then configures (every time, whatever a build
# directory holds), then builds and runs ctest: a configure from `make demo` cannot keep a
# "not found" for what the test install added.
add_test(NAME setup.make_test_installs_then_configures
         COMMAND sh -c "make -s -n -C '${PROJECT_SOURCE_DIR}' test BUILD='${CMAKE_BINARY_DIR}' > '${CMAKE_CURRENT_BINARY_DIR}/setup_make_n.txt' && cat '${CMAKE_CURRENT_BINARY_DIR}/setup_make_n.txt' && awk -v b='${CMAKE_BINARY_DIR}' '/install-deps.sh --test/ { d = NR } index($0, \"cmake -S . -B \" b) == 1 { c = NR } /^ctest / { t = NR } END { exit !(d && c && t && d < c && c < t) }' '${CMAKE_CURRENT_BINARY_DIR}/setup_make_n.txt'")
