// The Go twins of the JMH benchmarks PingPong and Gosched (bench/src/main/java/gmp/bench).
// bench/run runs them with an exact count, so that Go and Java time the same number of operations:
//
//	go test -run '^$' -bench '^BenchmarkPingPong$' -benchtime 100000x -count 10 -cpu 1,2
//	go test -run '^$' -bench '^BenchmarkGosched$' -benchtime 200000x -count 10 -cpu 1,2
package main

import (
	"runtime"
	"testing"
)

// BenchmarkPingPong: two goroutines pass a value back and forth over two unbuffered channels;
// one op is one round trip.
func BenchmarkPingPong(b *testing.B) {
	ping, pong := make(chan int), make(chan int)
	n := b.N
	go func() {
		for i := 0; i < n; i++ {
			pong <- <-ping
		}
	}()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
}

// BenchmarkGosched: two goroutines call runtime.Gosched b.N/2 times each; one op is one yield.
func BenchmarkGosched(b *testing.B) {
	each := b.N / 2
	done := make(chan struct{})
	go func() {
		for i := 0; i < each; i++ {
			runtime.Gosched()
		}
		close(done)
	}()
	for i := 0; i < each; i++ {
		runtime.Gosched()
	}
	<-done
}
