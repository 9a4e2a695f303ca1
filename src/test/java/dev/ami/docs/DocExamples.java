package dev.ami.docs;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The examples a user copies from the docs, found in their Markdown:
 * <ul>
 *   <li>a command line {@code java [JVM flags] -jar [target/]ami.jar ...}, in a code block (a {@code \}-continued
 *       line joined, a {@code # comment} cut) or in a code span (which may wrap a line);</li>
 *   <li>a code span that starts with a command's name and goes on with an option or a key=value
 *       ({@code run --eval}, {@code bench ... checkpoint.interval=S}): that command's example;</li>
 *   <li>a code span of nothing but {@code key.path=value} words ({@code checkpoint.on_shutdown=false
 *       checkpoint.interval=0}, {@code env=vrchat}): a value example.</li>
 * </ul>
 * Tables escape {@code |} as {@code \|}; it is read as {@code |}.
 */
final class DocExamples {
  private DocExamples() {
  }

  /**
   * What an example is: a command line ({@code java -jar ami.jar ...}), a part of one (a command with some of its
   * options in the prose, {@code run --eval}, {@code bench ... --cycles 1}; a help's "e.g." with its command,
   * {@code export agent.hz=20 vae.latent=256}), or key=value words in the prose.
   */
  enum Kind { COMMAND, MENTION, VALUES }

  /**
   * One example as written: {@code where} is file:line (or the help it came from), {@code jvm} the flags before
   * {@code -jar}, {@code args} the words after the jar (for a {@code VALUES} example, the key=value words).
   */
  record Example(Kind kind, String where, String written, List<String> jvm, List<String> args) {
    @Override
    public String toString() {
      return where + ": " + written;
    }
  }

  /** A key.path=value word: a lower-case key, dotted, or one of the top-level keys. */
  static final Pattern KEY_VALUE = Pattern.compile("([a-z][a-z0-9_]*(?:\\.[a-z][a-z0-9_]*)+|env|mode|resumed_from)=(.*)");

  private static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");

  /**
   * Every example in {@code markdown}; {@code file} names it in {@link Example#where}; {@code commands} are the
   * launcher's commands, {@code sections} the first parts of the config's keys (a {@code source.up=false} or an
   * {@code ai.djl.offline=true} in the prose is a status field or a system property, not a config value).
   */
  static List<Example> find(String file, String markdown, Set<String> commands, Set<String> sections) {
    List<Example> out = new ArrayList<>();
    String[] lines = markdown.split("\n", -1);
    boolean fence = false;
    Paragraph paragraph = new Paragraph(file, commands, sections, out);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.strip().startsWith("```")) {
        paragraph.end();
        fence = !fence;
        continue;
      }
      if (fence) {
        int first = i;
        String joined = line;
        while (joined.stripTrailing().endsWith("\\") && i + 1 < lines.length) {
          String s = joined.stripTrailing();
          joined = s.substring(0, s.length() - 1) + " " + lines[++i].strip();
        }
        commandLine(file + ":" + (first + 1), cutComment(joined), out);
      } else if (line.isBlank()) {
        paragraph.end();
      } else {
        paragraph.add(line, i + 1);
      }
    }
    paragraph.end();
    return out;
  }

  /** Lines of prose up to a blank line (a table is one; a code span may wrap a line), and where each began. */
  private static final class Paragraph {
    private final String file;
    private final Set<String> commands;
    private final Set<String> sections;
    private final List<Example> out;
    private final StringBuilder text = new StringBuilder();
    private final List<int[]> lineStarts = new ArrayList<>(); // {offset in text, line number}

    Paragraph(String file, Set<String> commands, Set<String> sections, List<Example> out) {
      this.file = file;
      this.commands = commands;
      this.sections = sections;
      this.out = out;
    }

    void add(String line, int number) {
      lineStarts.add(new int[] {text.length(), number});
      text.append(line.strip()).append(' ');
    }

    /** Takes the examples out of the paragraph's code spans, and starts the next paragraph. */
    void end() {
      Matcher m = CODE_SPAN.matcher(text);
      while (m.find()) {
        String span = m.group(1).replace("\\|", "|").strip();
        String where = file + ":" + lineAt(m.start());
        if (commandLine(where, span, out)) {
          continue;
        }
        List<String> words = words(span);
        if (words.size() > 1 && commands.contains(words.get(0)) && words.stream().skip(1)
            .anyMatch(w -> w.startsWith("-") || w.startsWith("[-") || KEY_VALUE.matcher(w).matches())) {
          out.add(new Example(Kind.MENTION, where, span, List.of(), words));
        } else if (!words.isEmpty() && words.stream().allMatch(w -> isConfigValue(w, sections))) {
          out.add(new Example(Kind.VALUES, where, span, List.of(), words));
        }
      }
      text.setLength(0);
      lineStarts.clear();
    }

    private int lineAt(int offset) {
      int line = 0;
      for (int[] start : lineStarts) {
        if (start[0] <= offset) {
          line = start[1];
        }
      }
      return line;
    }
  }

  /** A key.path=value word whose key starts with one of the config's {@code sections}. */
  private static boolean isConfigValue(String word, Set<String> sections) {
    Matcher kv = KEY_VALUE.matcher(word);
    return kv.matches() && sections.contains(kv.group(1).split("\\.")[0]);
  }

  /**
   * The examples in the help of {@code command} ({@code text}: what its --help shows), each a part of a command
   * line: its key.path=value words ({@code run agent.hz=20 vae.latent=256}), and each option after an "e.g."
   * ({@code bench --trainer-jvm="-Xms1g -XX:+AlwaysPreTouch"}).
   */
  static List<Example> fromHelp(String command, String text) {
    List<Example> out = new ArrayList<>();
    String where = "ami " + command + " --help";
    List<String> values = Stream.of(text.split("\\s+")).map(DocExamples::trimPunctuation)
        .filter(w -> KEY_VALUE.matcher(w).matches()).distinct().toList();
    if (!values.isEmpty()) {
      List<String> args = new ArrayList<>(List.of(command));
      args.addAll(values);
      out.add(new Example(Kind.MENTION, where, String.join(" ", args), List.of(), List.copyOf(args)));
    }
    Matcher option = Pattern.compile("e\\.g\\.\\s+(--[a-z-]+(?:=\"[^\"]*\"|=\\S+)?)").matcher(text);
    while (option.find()) {
      List<String> args = new ArrayList<>(List.of(command));
      args.addAll(words(option.group(1)));
      out.add(new Example(Kind.MENTION, where, command + " " + option.group(1), List.of(), List.copyOf(args)));
    }
    return out;
  }

  /** The dotted names in {@code text} whose first part is one of {@code sections}: config keys it names. */
  static Set<String> keyNames(String text, Set<String> sections) {
    Set<String> out = new java.util.TreeSet<>();
    for (String w : text.split("\\s+")) { // prose: an apostrophe is no quote
      String t = trimPunctuation(w);
      if (t.matches("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+") && sections.contains(t.substring(0, t.indexOf('.')))) {
        out.add(t);
      }
    }
    return out;
  }

  private static String trimPunctuation(String w) {
    return w.replaceAll("^[(\\[{]+", "").replaceAll("[,;:.)\\]}]+$", "");
  }

  /** Adds {@code text} from its {@code java} on when it runs the jar; whether it did. */
  static boolean commandLine(String where, String text, List<Example> out) {
    List<String> words = words(text);
    int java = words.indexOf("java");
    if (java < 0) {
      return false;
    }
    for (int j = java + 1; j + 1 < words.size(); j++) {
      if (words.get(j).equals("-jar") && words.get(j + 1).endsWith("ami.jar")) {
        Matcher from = Pattern.compile("(^|\\s)java\\s").matcher(text);
        String written = from.find() ? text.substring(from.start()).strip() : text.strip();
        out.add(new Example(Kind.COMMAND, where, written.replaceAll("\\s+", " "),
            List.copyOf(words.subList(java + 1, j)), List.copyOf(words.subList(j + 2, words.size()))));
        return true;
      }
    }
    return false;
  }

  /** The text before a shell comment ({@code #} after a space, outside quotes). */
  static String cutComment(String line) {
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        quote = c == quote ? 0 : quote;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  /** Splits as a POSIX shell would for these examples: whitespace outside quotes, quotes removed. */
  static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (char c : text.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          w.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          out.add(w.toString());
          w.setLength(0);
          inWord = false;
        }
      } else {
        w.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      out.add(w.toString());
    }
    return out;
  }

  /**
   * The command lines an example stands for: optional parts ({@code [--json]}, {@code [run]}) given, and one
   * line per alternative of each {@code a|b} word ({@code --model vae|fd|policy} is three).
   */
  static List<List<String>> variants(List<String> args) {
    List<List<String>> out = new ArrayList<>();
    out.add(new ArrayList<>());
    for (String arg : args) {
      String word = arg.replace("[", "").replace("]", "");
      if (word.isEmpty()) {
        continue;
      }
      List<String> alternatives = alternatives(word);
      List<List<String>> next = new ArrayList<>();
      for (List<String> line : out) {
        for (String a : alternatives) {
          List<String> longer = new ArrayList<>(line);
          longer.add(a);
          next.add(longer);
        }
      }
      out = next;
    }
    return List.copyOf(new LinkedHashSet<>(out));
  }

  /** {@code vae|fd|policy} is three words, {@code --role=agent|all} two; a word without {@code |} is itself. */
  private static List<String> alternatives(String word) {
    if (!word.contains("|")) {
      return List.of(word);
    }
    int eq = word.indexOf('=');
    String head = eq > 0 && eq < word.indexOf('|') ? word.substring(0, eq + 1) : "";
    return java.util.Arrays.stream(word.substring(head.length()).split("\\|")).map(a -> head + a).toList();
  }

  /**
   * A word that stands for what the reader fills in, not an example as written:
   * <ul>
   *   <li>an ellipsis, {@code ...} or {@code …} (more of the same: {@code RESULTS...}, {@code host[,host...]});</li>
   *   <li>a word in capitals ({@code NAME}, {@code S}, {@code N}, {@code T}, {@code HOST}, {@code FILE},
   *       {@code PATH}, {@code DIR}, {@code RUN}, {@code RUN_FOLDER}, {@code FLAGS}), a single small letter (the
   *       prose's {@code reward.count_bits=k}) or a {@code <name>} in a path ({@code runs/<run>/config.yaml});</li>
   *   <li>the usage words {@code key=value}, {@code key.path=value} and {@code host}.</li>
   * </ul>
   */
  static boolean isPlaceholder(String word) {
    return word.contains("...") || word.contains("…") || word.matches("[A-Z][A-Z0-9_]*|[a-z]")
        || word.matches(".*<[^>]+>.*") || Set.of("key=value", "key.path=value", "host").contains(word);
  }
}
