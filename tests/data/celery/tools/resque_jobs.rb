# resque_jobs.rb: jobs for a real Resque 2.7.0 worker (ruby -I resque-2.7.0/lib)
require 'resque'
Resque.redis = ENV.fetch('RESQUE_REDIS', '127.0.0.1:16379:6')
Resque.heartbeat_interval = Integer(ENV.fetch('HEARTBEAT', '60'))
Resque.prune_interval = Integer(ENV.fetch('PRUNE', '300'))
class SleepJob
  @queue = :mail
  def self.perform(n) sleep n end
end
