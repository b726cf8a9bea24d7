#include "core/crash_handler.h"

#include <execinfo.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define FINCRM_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define FINCRM_SANITIZED 1
#endif

namespace fincrm {
#ifndef FINCRM_SANITIZED
namespace {

// Only async-signal-safe calls below: write(2) of text formatted by hand.
void Write(const char* text) { (void)!write(STDERR_FILENO, text, std::strlen(text)); }

void WriteHex(uintptr_t value) {
  char text[2 + 2 * sizeof value + 1];
  text[0] = '0';
  text[1] = 'x';
  for (size_t i = 0; i < 2 * sizeof value; ++i) {
    text[2 + i] = "0123456789abcdef"[(value >> (4 * (2 * sizeof value - 1 - i))) & 15];
  }
  text[sizeof text - 1] = '\0';
  Write(text);
}

void WriteNumber(int value) {
  char text[12];
  int i = sizeof text - 1;
  text[i] = '\0';
  do {
    text[--i] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 && i > 0);
  Write(text + i);
}

const char* SignalName(int signal) {
  switch (signal) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    default: return "signal";
  }
}

void OnFatalSignal(int signal, siginfo_t* info, void*) {
  char thread[17] = {};
  prctl(PR_GET_NAME, thread, 0, 0, 0);
  Write("fincrm: FATAL: signal ");
  WriteNumber(signal);
  Write(" (");
  Write(SignalName(signal));
  Write(") at address ");
  WriteHex(reinterpret_cast<uintptr_t>(info ? info->si_addr : nullptr));
  Write(" in thread ");
  Write(thread);
  Write(" (pid ");
  WriteNumber(static_cast<int>(getpid()));
  Write("); backtrace:\n");
  void* frames[64];
  int depth = backtrace(frames, 64);
  backtrace_symbols_fd(frames, depth, STDERR_FILENO);
  Write("fincrm: the process ends now; a supervisor (systemd Restart=on-failure) restarts it\n");
  // SA_RESETHAND put the default action back: dying of the same signal keeps the exit
  // status (and a core dump where enabled) what it would have been.
  raise(signal);
}

}  // namespace
#endif

void InstallCrashHandler() {
#ifndef FINCRM_SANITIZED
  // The first backtrace() loads the unwinder; in the handler it must not allocate.
  void* warm[1];
  (void)backtrace(warm, 1);
  // An alternate stack, so that a stack overflow on the main thread can still report.
  static char alternate[64 * 1024];
  stack_t stack{};
  stack.ss_sp = alternate;
  stack.ss_size = sizeof alternate;
  sigaltstack(&stack, nullptr);
  struct sigaction action {};
  action.sa_sigaction = OnFatalSignal;
  action.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(signal, &action, nullptr);
#endif
}

}  // namespace fincrm
