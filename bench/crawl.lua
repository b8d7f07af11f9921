-- wrk script for a crawl: every request a first visit.
--
-- The paths are the lines of the file named by CRAWL_PATHS. Each of wrk's
-- threads takes its share (thread i of CRAWL_THREADS: lines i, i + n, ...)
-- and asks each path once, in order. A thread whose share is answered stops.
--
-- wrk's own "Requests/sec" divides by the whole -d duration even when the
-- threads stopped earlier, so the crawl keeps its own clock: done() prints
-- "crawl: answered=<n> repeats=<n> seconds=<s>", from each thread's
-- first request to its last answer (bench/run.py reads it).
--
-- While the last answers of a finished share are awaited, each connection
-- that comes free asks for the share's last path again (counted in
-- `repeats`; most are cut off when the thread stops).

local ffi = require("ffi")
ffi.cdef [[
   typedef struct { long tv_sec; long tv_usec; } timeval;
   int gettimeofday(timeval *tv, void *tz);
]]
local clock = ffi.new("timeval")

local function now()
   ffi.C.gettimeofday(clock, nil)
   return tonumber(clock.tv_sec) + tonumber(clock.tv_usec) / 1e6
end

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   threads[#threads + 1] = thread
end

function init(args)
   local count = tonumber(os.getenv("CRAWL_THREADS") or "2")
   paths = {}
   local line_number = 0
   for line in io.lines(os.getenv("CRAWL_PATHS")) do
      if line_number % count == id then
         paths[#paths + 1] = line
      end
      line_number = line_number + 1
   end
   share = #paths
   sent, answered, repeats, started, finished = 0, 0, 0, 0, 0
end

function request()
   if started == 0 then
      started = now()
   end
   sent = sent + 1
   if sent > share then
      repeats = repeats + 1
      return wrk.format("GET", paths[share])
   end
   return wrk.format("GET", paths[sent])
end

function response(status, headers, body)
   answered = answered + 1
   finished = now()
   if answered >= share then
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local answered, repeats, first, last = 0, 0, nil, 0
   for _, thread in ipairs(threads) do
      answered = answered + thread:get("answered")
      repeats = repeats + thread:get("repeats")
      local started = thread:get("started")
      if started > 0 and (first == nil or started < first) then
         first = started
      end
      last = math.max(last, thread:get("finished"))
   end
   io.write(string.format(
      "crawl: answered=%d repeats=%d seconds=%.3f\n",
      answered, repeats, last - (first or last)))
end
