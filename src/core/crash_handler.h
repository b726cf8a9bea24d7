// The last words of a crashing process: on SIGSEGV, SIGBUS, SIGFPE, SIGILL or SIGABRT
// the signal, the faulting address, the thread's name and a backtrace go to standard
// error (the service's log) before the process dies of the same signal — so that
// systemd's Restart=on-failure restarts it and the log says where it failed.
//
// Install once, early in main(). In sanitizer builds it installs nothing: the
// sanitizers' own reports say more.
#pragma once

namespace fincrm {

void InstallCrashHandler();

}  // namespace fincrm
