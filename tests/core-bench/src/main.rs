//! Prints `{"median_ns": .., "p99_ns": ..}` for the core's alert path; the benchmark runs this
//! built for wasm32-wasip2 inside wasmtime.

fn main() {
    let (median, p99) = core_bench::measure(200, 200);
    println!("{{\"median_ns\": {median:.1}, \"p99_ns\": {p99:.1}}}");
}
