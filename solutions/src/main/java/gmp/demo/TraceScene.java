package gmp.demo;

import java.nio.file.Path;
import java.util.List;

import gmp.runtime.Chan;
import gmp.runtime.Go;
import gmp.runtime.GoRuntime;
import gmp.sync.WaitGroup;

/**
 * The scenes {@code ./gmp trace [scene]} runs with the execution trace on, writing
 * {@code target/trace/<scene>.json} (Perfetto, chrome://tracing) and {@code <scene>.html} (the
 * timeline that opens from disk). docs/en/trace.md shows what each one teaches.
 *
 * <ul>
 *   <li>{@code pingpong}: two goroutines hand a value back and forth over unbuffered channels on one
 *       P: every run ends in GoBlock "chan receive", and each wake-up is an arrow to the next run.</li>
 *   <li>{@code spawn}: main starts 64 short goroutines on two Ps; the idle P's M wakes, spins and
 *       steals half of p0's queue (the "moved P0 -> P1" markers).</li>
 *   <li>{@code preempt}: a goroutine that never yields runs 60 ms and is preempted by sysmon after each 10 ms slice
 *       (a preempt request, then GoStop "preempted") while another waits its turn on one P.</li>
 *   <li>{@code syscall}: on one P, a goroutine blocks 20 ms in a syscall (Go.syscall around a
 *       Thread.sleep) while main computes: sysmon retakes the P and hands it to a new M for main
 *       (ProcSteal); the call returns while main holds the P, so the goroutine waits in the global
 *       queue until main's slice ends (chapter 07, docs/en/07-syscalls.md#trace).</li>
 *   <li>{@code all} (the default): the four, one after another, each to its own pair of files.</li>
 * </ul>
 */
public final class TraceScene {
    private static final List<String> SCENES = List.of("pingpong", "spawn", "preempt", "syscall");

    private TraceScene() {
    }

    public static void main(String[] args) {
        String scene = args.length > 0 ? args[0] : "all";
        Path dir = Path.of(args.length > 1 ? args[1] : "target/trace");
        if (!scene.equals("all") && !SCENES.contains(scene)) {
            System.err.println("trace: no scene '" + scene + "'; the scenes are: all " + String.join(" ", SCENES));
            System.exit(64);
        }
        for (String s : scene.equals("all") ? SCENES : List.of(scene)) {
            Path json = dir.resolve(s + ".json");
            run(s, json);
            System.out.println("trace: " + s + ": " + json.toAbsolutePath() + " (Perfetto: ui.perfetto.dev, chrome://tracing)");
            System.out.println("trace: " + s + ": " + dir.resolve(s + ".html").toAbsolutePath() + " (open in a browser)");
        }
    }

    static void run(String scene, Path json) {
        switch (scene) {
            case "pingpong" -> GoRuntime.builder().gomaxprocs(1).executionTrace(json).build().run(TraceScene::pingpong);
            case "spawn" -> GoRuntime.builder().gomaxprocs(2).executionTrace(json).build().run(TraceScene::spawn);
            case "preempt" -> GoRuntime.builder().gomaxprocs(1).executionTrace(json).build().run(TraceScene::preempt);
            case "syscall" -> GoRuntime.builder().gomaxprocs(1).executionTrace(json).build().run(TraceScene::syscall);
            default -> throw new IllegalArgumentException(scene);
        }
    }

    private static void pingpong() {
        Chan<Integer> ping = Chan.make();
        Chan<Integer> pong = Chan.make();
        Go.go(() -> {
            for (int i = 0; i < 5; i++) {
                pong.send(ping.recv() + 1);
            }
        });
        int v = 0;
        for (int i = 0; i < 5; i++) {
            ping.send(v);
            v = pong.recv();
        }
    }

    private static void spawn() {
        WaitGroup wg = new WaitGroup();
        wg.add(64);
        for (int i = 0; i < 64; i++) {
            Go.go(() -> {
                long x = 0;
                for (int k = 0; k < 20_000; k++) {
                    x += k ^ (x >>> 3);
                }
                if (x == 42) {
                    System.out.print("");
                }
                wg.done();
            });
        }
        wg.await();
    }

    private static void preempt() {
        Chan<String> done = Chan.make(2);
        Go.go(() -> {
            long until = System.nanoTime() + 60_000_000L;
            while (System.nanoTime() < until) {
                Thread.onSpinWait(); // a loop back-edge: the preemption agent's safepoint
            }
            done.send("hog");
        });
        Go.go(() -> done.send("polite"));
        done.recv();
        done.recv();
    }

    private static void syscall() {
        Chan<String> done = Chan.make(1);
        Go.go(() -> {
            Go.syscall(() -> {
                Thread.sleep(20); // a slow system call, blocking this M's thread
                return null;
            });
            done.send("back");
        });
        Go.gosched(); // let it start and enter the call
        long until = System.nanoTime() + 30_000_000L;
        while (System.nanoTime() < until) {
            Thread.onSpinWait(); // main computes, on the P that sysmon took from the syscall
        }
        done.recv();
    }
}
