package gmp.demo;

import gmp.runtime.GoRuntime;

/**
 * The demo program: boots the reference runtime and shows what it did, in Go's own
 * {@code GODEBUG=schedtrace=…,scheddetail=1} format, so you can put it beside real Go's output.
 *
 * <p>Run it with {@code ./gmp demo}; set {@code GOMAXPROCS} in the environment to change the number
 * of Ps. Each chapter adds a scene: chapter 01 shows the bootstrap (m0 running main on p0, the
 * other Ps idle).
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) {
        GoRuntime rt = GoRuntime.builder().build();
        System.out.println("== chapter 01: bootstrap ==");
        System.out.println("main (goroutine 1) runs on m0, the thread that called run(), holding p0;");
        System.out.println("every other P waits on the idle list. The scheduler's view from inside main:");
        System.out.println();
        rt.run(() -> System.out.print(rt.schedtrace(true)));
        System.out.println();
        System.out.println("After main returned (goroutine 1 is dead, status=6):");
        System.out.print(rt.schedtrace(true));
    }
}
