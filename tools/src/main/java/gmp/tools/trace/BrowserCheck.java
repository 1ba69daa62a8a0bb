package gmp.tools.trace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks an HTML trace timeline in a real headless browser (Debian's {@code chromium}): the page
 * loads without a script error, draws one lane per P and one slice per run of each G, as the JSON
 * written beside it says, and a screenshot goes next to it for a person to look at
 * (docs/en/trace.md#html). The page writes what it drew into {@code <pre id="summary">}, which
 * {@code --dump-dom} prints after the scripts ran.
 *
 * <p>Without a browser it says so and exits 0 ({@code .ci/run} installs chromium; a maintainer's
 * machine may not have it). Exit 1 when the page disagrees with the JSON or does not load.
 *
 * <pre>java tools/src/main/java/gmp/tools/trace/BrowserCheck.java target/trace/spawn.json</pre>
 */
public final class BrowserCheck {
    private static final Pattern SUMMARY = Pattern.compile("<pre id=\"summary\">(.*?)</pre>", Pattern.DOTALL);
    private static final Pattern P_SLICE = Pattern.compile("\\{\"ph\":\"B\",\"pid\":1,[^}]*\"name\":\"(G\\d+)\"");
    private static final Pattern PROCS = Pattern.compile("\"gomaxprocs\":(\\d+)");
    private static final List<String> BROWSERS = List.of("chromium", "chromium-browser", "google-chrome");

    private BrowserCheck() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 1 || !args[0].endsWith(".json")) {
            System.err.println("usage: BrowserCheck TRACE.json   (the .html beside it is checked; a .png is written)");
            System.exit(64);
        }
        Path json = Path.of(args[0]).toAbsolutePath();
        String base = json.toString().substring(0, json.toString().length() - 5);
        Path html = Path.of(base + ".html");
        Path png = Path.of(base + ".png");
        String browser = findBrowser();
        if (browser == null) {
            System.out.println("trace-browser: SKIPPED: no chromium on PATH (apt-get install chromium; .ci/run installs it)");
            return;
        }
        String text = Files.readString(json, StandardCharsets.UTF_8);
        Matcher procs = PROCS.matcher(text);
        int lanes = procs.find() ? Integer.parseInt(procs.group(1)) : -1;
        Map<String, Integer> expected = new TreeMap<>();
        Matcher m = P_SLICE.matcher(text);
        while (m.find()) {
            expected.merge(m.group(1), 1, Integer::sum);
        }

        long t0 = System.nanoTime();
        String dom = run(browser, "--dump-dom", html.toUri().toString());
        Matcher s = SUMMARY.matcher(dom);
        if (!s.find()) {
            fail("the page has no summary: it did not load (" + html + ")");
        }
        String summary = s.group(1);
        String errors = field(summary, "errors");
        if (!"none".equals(errors)) {
            fail("the page reported script errors: " + errors);
        }
        if (!String.valueOf(lanes).equals(field(summary, "lanes"))) {
            fail("the page drew " + field(summary, "lanes") + " lanes; the trace has " + lanes + " Ps");
        }
        Map<String, Integer> drawn = new TreeMap<>();
        for (String kv : field(summary, "slices per goroutine").split(" ")) {
            if (!kv.isEmpty()) {
                String[] p = kv.split("=");
                drawn.put(p[0], Integer.parseInt(p[1]));
            }
        }
        if (!drawn.equals(expected)) {
            fail("the page's slices per goroutine differ from the JSON's runs on the P tracks:\n  page: " + drawn
                    + "\n  json: " + expected);
        }
        run(browser, "--hide-scrollbars", "--window-size=1400,420", "--screenshot=" + png, html.toUri().toString());
        if (!Files.isRegularFile(png)) {
            fail("the screenshot was not written: " + png);
        }
        System.out.printf("trace-browser: %s loads without a script error, %d lanes, %d runs of %d goroutines as in"
                + " the JSON; screenshot %s (%d ms)%n", html.getFileName(), lanes,
                expected.values().stream().mapToInt(Integer::intValue).sum(), expected.size(), png,
                (System.nanoTime() - t0) / 1_000_000);
    }

    private static String field(String summary, String name) {
        for (String line : summary.split("\n")) {
            if (line.startsWith(name + ": ")) {
                return line.substring(name.length() + 2).trim();
            }
        }
        return "";
    }

    private static String findBrowser() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            for (String b : BROWSERS) {
                if (Files.isExecutable(Path.of(dir, b))) {
                    return Path.of(dir, b).toString();
                }
            }
        }
        return null;
    }

    /** Runs the headless browser with the flags a container needs; its stdout. */
    private static String run(String browser, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(browser, "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("trace-browser", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("the browser did not finish in 120 s: " + String.join(" ", cmd));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void fail(String why) {
        System.out.println("trace-browser: FAILED: " + why);
        System.exit(1);
    }
}
