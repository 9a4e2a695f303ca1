package dev.ami.checkpoint;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One run's checkpoints ({@code <run>/states/}): one {@code <seq>-<UTC timestamp>.state} directory per
 * checkpoint, written under a hidden {@code .<name>.tmp} sibling first. The sequence number orders them, not the
 * clock: a clock set back never makes a fresh checkpoint sort as the oldest. The timestamp is for people (basic
 * ISO 8601, no colons, so Windows takes it too). One runtime per run folder: the writer assumes it is alone.
 */
public final class Checkpoints {
  static final String SUFFIX = ".state";
  static final String TEMP_SUFFIX = ".tmp";
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss.SSS'Z'")
      .withZone(ZoneOffset.UTC);
  /** {@code 000012-20261207T101112.123Z.state}; names without a sequence (older builds) order before all others. */
  private static final Pattern SEQUENCED = Pattern.compile("(\\d{6,})-.*");

  private Checkpoints() {
  }

  /** The name of the next checkpoint in {@code dir}: one more than the highest sequence there, stamped {@code now}. */
  static String newName(Path dir, Instant now) {
    return nameOf(nextSequence(dir), now);
  }

  /** The name of checkpoint number {@code sequence}, stamped {@code stamp}. */
  public static String nameOf(long sequence, Instant stamp) {
    return String.format("%06d-%s%s", sequence, STAMP.format(stamp), SUFFIX);
  }

  /** One more than the highest sequence in {@code dir}, a crash's leftovers included; 1 when there is none. */
  public static long nextSequence(Path dir) {
    long next = list(dir).stream().mapToLong(Checkpoints::sequence).max().orElse(0) + 1;
    try (Stream<Path> s = Files.exists(dir) ? Files.list(dir) : Stream.empty()) { // a crash's leftovers count too
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith(".") && n.endsWith(SUFFIX + TEMP_SUFFIX)) {
          next = Math.max(next, sequenceOf(n.substring(1)) + 1);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return next;
  }

  static Path temp(Path dir, String name) {
    return dir.resolve("." + name + TEMP_SUFFIX);
  }

  /** A checkpoint's sequence number in its run; 0 for a name an older build wrote. */
  public static long sequence(Path checkpoint) {
    return sequenceOf(checkpoint.getFileName().toString());
  }

  private static long sequenceOf(String name) {
    Matcher m = SEQUENCED.matcher(name);
    return m.matches() ? Long.parseLong(m.group(1)) : 0;
  }

  /** The finished checkpoints in {@code dir}, newest first (none when it does not exist). */
  public static List<Path> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().endsWith(SUFFIX)
              && !p.getFileName().toString().startsWith("."))
          .sorted(Comparator.comparingLong(Checkpoints::sequence)
              .thenComparing(p -> p.getFileName().toString()).reversed())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** When the checkpoint says it was written (its manifest's {@code created}); null when that cannot be read. */
  public static Instant created(Path checkpoint) {
    try {
      JsonObject manifest = new JsonObject(Files.readString(checkpoint.resolve(Manifest.FILE), StandardCharsets.UTF_8));
      return Instant.parse(manifest.getString("created"));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Deletes all but the newest {@code keep} checkpoints of this run ({@code dir} is one run's {@code states/}), and
   * temporary directories a crash left behind. The newest checkpoint that looks whole (its manifest matches its
   * checksum and every file has its size) is kept even when it falls outside {@code keep}: retention never
   * leaves a run without one to resume from.
   *
   * @return what was deleted
   */
  static List<Path> prune(Path dir, int keep) throws IOException {
    List<Path> all = list(dir);
    Path newestWhole = all.stream().filter(Checkpoints::looksWhole).findFirst().orElse(null);
    List<Path> deleted = new ArrayList<>();
    for (Path p : all.subList(Math.min(keep, all.size()), all.size())) {
      if (!p.equals(newestWhole)) {
        deleteTree(p);
        deleted.add(p);
      }
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".")
          && p.getFileName().toString().endsWith(SUFFIX + TEMP_SUFFIX)).toList()) {
        deleteTree(p);
      }
    }
    return List.copyOf(deleted);
  }

  /** A cheap check (no tensor is hashed): the manifest against its checksum, and every file's size. */
  static boolean looksWhole(Path checkpoint) {
    try {
      byte[] bytes = Files.readAllBytes(checkpoint.resolve(Manifest.FILE));
      String sum = Files.readString(checkpoint.resolve(Manifest.CHECKSUM_FILE), StandardCharsets.UTF_8).trim();
      if (!HexFormat.of().formatHex(CheckpointWriter.sha256().digest(bytes)).equals(sum)) {
        return false;
      }
      JsonObject files = new JsonObject(new String(bytes, StandardCharsets.UTF_8)).getJsonObject("files");
      for (String name : files.fieldNames()) {
        Path f = checkpoint.resolve(name);
        if (!Files.isRegularFile(f) || Files.size(f) != files.getJsonObject(name).getLong("bytes")) {
          return false;
        }
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
