package dev.ami.system;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Turns libtorch's NNPACK convolutions off ({@code torch.backends.nnpack.set_flags(False)} in Python), which DJL
 * does not expose. libtorch 2.7 asks whether NNPACK is available on every float convolution, and on a CPU NNPACK
 * does not support (AMD Zen 5 here) each ask prints "Could not initialize NNPACK! Reason: Unsupported hardware"
 * to stderr: three lines a tick from the agent thread, 24 000 in a 20-minute run, written by the tick itself.
 * With the flag off libtorch never asks. NNPACK only ever ran convolutions with a batch of 16 or more, which
 * this runtime's models do not use, so nothing else changes.
 *
 * <p>The setter is a C++ member function, called through JNA by its Itanium-ABI name in the libtorch_cpu the
 * engine loaded (found in /proc/self/maps): Linux x86-64 and aarch64 only; elsewhere nothing is done.
 */
public final class Nnpack {
  static final String CONTEXT = "_ZN2at13globalContextEv";
  static final String SET_ENABLED = "_ZN2at7Context20setUserEnabledNNPACKEb";
  static final String ENABLED = "_ZNK2at7Context17userEnabledNNPACKEv";
  private static volatile Boolean done;

  private Nnpack() {
  }

  /**
   * Turns NNPACK off in the loaded libtorch, once per process. Call after the engine has loaded.
   *
   * @return what was done, for the log; empty where libtorch_cpu or its symbols were not found
   */
  public static synchronized Optional<String> turnOff() {
    if (done != null) {
      return Optional.empty();
    }
    done = false;
    try {
      Optional<Path> lib = loaded("libtorch_cpu.so");
      if (lib.isEmpty()) {
        return Optional.empty();
      }
      NativeLibrary torch = NativeLibrary.getInstance(lib.get().toString());
      Pointer context = torch.getFunction(CONTEXT).invokePointer(new Object[0]);
      torch.getFunction(SET_ENABLED).invokeVoid(new Object[] {context, Boolean.FALSE});
      done = !enabled(torch, context);
      return Optional.of(done ? "libtorch's NNPACK convolutions turned off (no batch here is large enough for"
          + " them; on CPUs NNPACK does not support, every convolution would print a warning)"
          : "libtorch's NNPACK could not be turned off: expect NNPACK warnings on CPUs it does not support");
    } catch (RuntimeException | LinkageError e) {
      return Optional.empty(); // not Linux, not this libtorch: leave it
    }
  }

  /** Whether NNPACK is on in the loaded libtorch (tests read it back). */
  static boolean enabled() {
    Path lib = loaded("libtorch_cpu.so").orElseThrow();
    NativeLibrary torch = NativeLibrary.getInstance(lib.toString());
    return enabled(torch, torch.getFunction(CONTEXT).invokePointer(new Object[0]));
  }

  private static boolean enabled(NativeLibrary torch, Pointer context) {
    return (torch.getFunction(ENABLED).invokeInt(new Object[] {context}) & 0xFF) != 0; // a C++ bool in al
  }

  /** The path of a shared library this process has mapped, from /proc/self/maps. */
  static Optional<Path> loaded(String fileName) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
        int slash = line.indexOf('/');
        if (slash >= 0 && line.endsWith("/" + fileName)) {
          return Optional.of(Path.of(line.substring(slash)));
        }
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
