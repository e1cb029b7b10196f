// BfgModel applies a replace-text file to text the way BFG Repo-Cleaner
// does, on the real java.util.regex engine. BFG itself (a Scala jar, not
// packaged in Debian) cannot run in the tests, so this re-implements the
// few lines of it that matter, from its sources:
//
//   - bfg/cli/CLIConfig.scala: the file is read with the JVM's default
//     charset, line by line (LF, CR, CRLF), and blank lines are dropped.
//   - bfg/cli/TextReplacementConfig.scala: each line must match
//     "(.+?)(?:==>(.*))?" as a whole (the FIRST "==>" splits; a line Java's
//     `.` cannot cross, e.g. one holding U+2028, is a MatchError); no
//     replacement means "***REMOVED***"; the replacers run in file order.
//   - textmatching/TextMatcherType.scala: "regex:", "glob:" and "literal:"
//     prefixes, literal by default; a literal is Pattern.quote'd and its
//     replacement Matcher.quoteReplacement'ed; a regex's replacement is
//     used as it is (so `$` and `\` in it are special).
//   - cleaner/BlobTextModifier.scala and LineBreakInclusiveIterator: a
//     blob is filtered one line at a time, each line with its terminator.
//
// Usage: java BfgModel.java CASES_DIR
// For every N.txt (a replace-text file) and N.blob (the text) in
// CASES_DIR it writes N.bfg (the filtered text) or N.bfg.err (the error).
// The blob is decoded as BFG's BlobCharsetDetector does: UTF-8 when it
// decodes, else ISO-8859-1.
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class BfgModel {
    static final Pattern LINE = Pattern.compile("(.+?)(?:==>(.*))?");
    static final Pattern PREFIXED = Pattern.compile("(glob|literal|regex):(.*)");

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        try (var files = Files.list(dir)) {
            for (Path cfg : files.filter(p -> p.toString().endsWith(".txt")).toList()) {
                String base = cfg.toString().substring(0, cfg.toString().length() - 4);
                try {
                    List<UnaryOperator<String>> replacers = parse(Files.readString(cfg, StandardCharsets.UTF_8));
                    // BlobCharsetDetector: UTF-8 if it decodes, else ISO-8859-1.
                    byte[] raw = Files.readAllBytes(Path.of(base + ".blob"));
                    Charset cs = StandardCharsets.UTF_8;
                    try {
                        cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw));
                    } catch (CharacterCodingException e) {
                        cs = StandardCharsets.ISO_8859_1;
                    }
                    String blob = new String(raw, cs);
                    StringBuilder out = new StringBuilder();
                    for (String line : splitLines(blob)) {
                        for (UnaryOperator<String> r : replacers) {
                            line = r.apply(line);
                        }
                        out.append(line);
                    }
                    Files.write(Path.of(base + ".bfg"), out.toString().getBytes(cs));
                } catch (RuntimeException e) {
                    Files.writeString(Path.of(base + ".bfg.err"), e.toString(), StandardCharsets.UTF_8);
                }
            }
        }
    }

    static List<UnaryOperator<String>> parse(String file) {
        List<UnaryOperator<String>> out = new ArrayList<>();
        for (String line : splitLines(file)) {
            line = line.replaceAll("(\r\n|\r|\n)$", "");
            if (line.trim().isEmpty()) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new IllegalStateException("MatchError: " + line.length() + "-char line");
            }
            String matcherText = m.group(1);
            String replacement = m.group(2) == null ? "***REMOVED***" : m.group(2);
            String type = "literal";
            String expr = matcherText;
            Matcher pm = PREFIXED.matcher(matcherText);
            if (pm.matches()) {
                type = pm.group(1);
                expr = pm.group(2);
            }
            Pattern p;
            String repl;
            switch (type) {
                case "literal" -> {
                    p = Pattern.compile(Pattern.quote(expr));
                    repl = Matcher.quoteReplacement(replacement);
                }
                case "regex" -> {
                    p = Pattern.compile(expr);
                    repl = replacement;
                }
                default -> throw new IllegalStateException("glob lines are not modelled");
            }
            out.add(s -> p.matcher(s).replaceAll(repl));
        }
        return out;
    }

    // splitLines cuts text after each LF, CR or CRLF, keeping terminators.
    static List<String> splitLines(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                    i++;
                }
                out.add(s.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }
}
