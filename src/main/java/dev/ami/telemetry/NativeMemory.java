package dev.ami.telemetry;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;
import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * Native memory outside the Java heap, as far as it can be read from inside the process: the C heap that
 * glibc's malloc hands out (libtorch's tensors, JavaCV, every JNI library), and the JVM's own native memory as
 * Native Memory Tracking counts it. Each reading is NaN where it is not available.
 */
public final class NativeMemory {
  private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB");

  private NativeMemory() {
  }

  /** glibc's {@code struct mallinfo2} (glibc 2.33 and later): every field is a {@code size_t}. */
  @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
      "fordblks", "keepcost"})
  public static class MallInfo2 extends Structure implements Structure.ByValue {
    public long arena;
    public long ordblks;
    public long smblks;
    public long hblks;
    public long hblkhd;
    public long usmblks;
    public long fsmblks;
    public long uordblks;
    public long fordblks;
    public long keepcost;
  }

  interface LibC extends Library {
    MallInfo2 mallinfo2();
  }

  private static final LibC LIBC = load();

  private static LibC load() {
    try {
      LibC c = Native.load("c", LibC.class);
      c.mallinfo2(); // fails here where glibc is older than 2.33 or absent
      return c;
    } catch (Throwable t) {
      return null;
    }
  }

  /** Bytes malloc has handed out and not had back, over all arenas plus mmapped blocks, in MiB. */
  public static double mallocMiB() {
    if (LIBC == null) {
      return Double.NaN;
    }
    MallInfo2 m = LIBC.mallinfo2();
    return (m.uordblks + m.hblkhd) / 1048576.0;
  }

  /** The JVM's own committed native memory (NMT "Total"), in MiB; NaN unless run with -XX:NativeMemoryTracking. */
  public static double jvmCommittedMiB() {
    try {
      Object out = ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
          new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
      Matcher matcher = NMT_TOTAL.matcher(String.valueOf(out));
      return matcher.find() ? Long.parseLong(matcher.group(1)) / 1024.0 : Double.NaN;
    } catch (Exception e) {
      return Double.NaN;
    }
  }
}
