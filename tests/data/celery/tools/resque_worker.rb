# resque_worker.rb QUEUES: run one real Resque 2.7.0 worker in the foreground
require_relative 'resque_jobs'
$stdout.sync = true
w = Resque::Worker.new(*ARGV[0].split(','))
w.verbose = true
w.work(0.5)
