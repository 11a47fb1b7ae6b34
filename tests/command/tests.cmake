# The command trainer (rung.model command): the user's own program per trial, under a real
# mpirun, with real pauses, promotions onto other ranks, kill -9 and SIGUSR1 suspension; each
# way a program can fail; and the examples in examples/ (Debian's Python packages).
# Included by tests/mpi/CMakeLists.txt (it uses its checkers and mpirun flags).
set(rung_command_dir ${PROJECT_SOURCE_DIR}/tests/command)
set(rung_command_out ${CMAKE_CURRENT_BINARY_DIR}/out/command)
set(RUNG_SOURCE_DIR ${PROJECT_SOURCE_DIR})
foreach(name hyperband failures)
  configure_file(${rung_command_dir}/jobs/${name}.yaml.in
                 ${CMAKE_CURRENT_BINARY_DIR}/command_jobs/${name}.yaml @ONLY)
endforeach()
set(rung_command_jobs ${CMAKE_CURRENT_BINARY_DIR}/command_jobs)

foreach(np 4 0)
  add_test(NAME command.hyperband.np${np}
           COMMAND ${rung_command_dir}/command_case.sh ${MPIEXEC_EXECUTABLE} "${rung_mpirun_flags}"
                   ${np} $<TARGET_FILE:rung> ${rung_command_jobs}/hyperband.yaml
                   ${rung_command_out}_hyperband_np${np} $<TARGET_FILE:mpi_output_check>)
  set_tests_properties(command.hyperband.np${np} PROPERTIES TIMEOUT 300 RESOURCE_LOCK mpi)
endforeach()
add_test(NAME command.failures_each_end_the_trial_with_its_reason
         COMMAND ${rung_command_dir}/failures_case.sh $<TARGET_FILE:rung>
                 ${rung_command_jobs}/failures.yaml ${rung_command_out}_failures)
# kill -9 of mpirun and every rank at random moments (the programs die with their rank), then
# resume; and SIGUSR1 through mpirun (Slurm's walltime warning): exit 3, then resume. One
# worker rank, so the result must equal the uninterrupted run's exactly.
add_test(NAME command.kill_resume.np2
         COMMAND ${rung_command_dir}/then_check.sh ${rung_command_out}_kill "" --
                 ${CMAKE_CURRENT_SOURCE_DIR}/kill_resume_case.sh ${MPIEXEC_EXECUTABLE}
                 "${rung_mpirun_flags}" 2 $<TARGET_FILE:rung> ${rung_command_jobs}/hyperband.yaml
                 ${rung_command_out}_kill 8 7101 1500 $<TARGET_FILE:mpi_resume_compare>)
add_test(NAME command.suspend_resume.usr1-mpirun.np2
         COMMAND ${rung_command_dir}/then_check.sh ${rung_command_out}_suspend --exact --
                 ${CMAKE_CURRENT_SOURCE_DIR}/suspend_resume_case.sh usr1-mpirun
                 ${MPIEXEC_EXECUTABLE} "${rung_mpirun_flags}" 2 $<TARGET_FILE:rung>
                 ${rung_command_jobs}/hyperband.yaml ${rung_command_out}_suspend 2
                 $<TARGET_FILE:mpi_resume_compare>)
set_tests_properties(command.kill_resume.np2 command.suspend_resume.usr1-mpirun.np2 PROPERTIES
                     TIMEOUT 400 RESOURCE_LOCK mpi)
# A program that cannot start fails the job at once: exit 2 naming it, no trial spent.
add_test(NAME command.missing_program_exits_2_before_any_trial
         COMMAND sh -c "D='${rung_command_out}_missing'; rm -rf \"$D\"; sed 's|/usr/bin/python3|/no/such/python3|' '${rung_command_jobs}/hyperband.yaml' > \"$D.yaml\"; '$<TARGET_FILE:rung>' run \"$D.yaml\" --out \"$D\" 2> \"$D.err\"; rc=$?; cat \"$D.err\"; test $rc -eq 2 && grep -q 'program \"/no/such/python3\" not found' \"$D.err\" && test ! -e \"$D/trials\" && test ! -e \"$D/journal\" || exit 1; sed 's|toy_program.py|no_such_script.py|' '${rung_command_jobs}/hyperband.yaml' > \"$D.yaml\"; '$<TARGET_FILE:rung>' run \"$D.yaml\" --out \"$D\" 2> \"$D.err\"; rc=$?; cat \"$D.err\"; test $rc -eq 2 && grep -q 'script .*no_such_script.py\" not found' \"$D.err\"")

# The examples, run as a user would from the project's root (relative paths in the jobs).
add_test(NAME command.example_flaky_fails_some_trials
         COMMAND sh -c "D='${rung_command_out}_flaky'; rm -rf \"$D\"; '$<TARGET_FILE:rung>' run jobs/flaky_command.yaml --out \"$D\" > \"$D.log\" 2>&1 || { cat \"$D.log\"; exit 1; }; grep -q 'FloatingPointError' \"$D/summary.json\" && grep -q '\"Completed\":[1-9]' \"$D/summary.json\" || { cat \"$D/summary.json\"; exit 1; }"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
add_test(NAME command.example_xgboost_sagemaker_request
         COMMAND ${rung_command_dir}/xgboost_case.sh $<TARGET_FILE:rung> ${rung_command_out}_xgboost
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
add_test(NAME command.example_fashion_mnist_pytorch.np3
         COMMAND sh -c "D='${rung_command_out}_fashion'; rm -rf \"$D\"; ${MPIEXEC_EXECUTABLE} ${rung_mpirun_flags} -np 3 '$<TARGET_FILE:rung>' run jobs/fashion_mnist_command.yaml --out \"$D\" > \"$D.log\" 2>&1 || { cat \"$D.log\"; exit 1; }; tail -n 12 \"$D.log\"; /usr/bin/python3 tests/command/check_continuation.py \"$D\" --exact"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
# Under the mpi lock like the MPI tests: they load both cores, and several MPI tests time
# their signals against a reference run.
set_tests_properties(command.example_flaky_fails_some_trials
                     command.example_xgboost_sagemaker_request
                     command.failures_each_end_the_trial_with_its_reason
                     command.missing_program_exits_2_before_any_trial PROPERTIES TIMEOUT 300
                     RESOURCE_LOCK mpi)
set_tests_properties(command.example_fashion_mnist_pytorch.np3 PROPERTIES TIMEOUT 600
                     RESOURCE_LOCK mpi PROCESSORS 2)
