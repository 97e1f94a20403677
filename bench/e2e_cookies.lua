-- wrk script for bench/e2e: every request carries the cookie
-- PHPSESSID=<client id>, one of CLIENTS fixed ids ("bench" + zero-padded
-- index, 32 characters of [a-z0-9]).
--   wrk ... -s bench/e2e_cookies.lua URL -- CLIENTS THREADS
-- The clients are split between the threads (thread t owns the ids
-- t, t + THREADS, t + 2*THREADS, ...), and each thread walks its own ids
-- in turn, so the requests in flight at one time (at most one per
-- connection) rarely share a client as long as CLIENTS is well above the
-- number of connections.

local next_thread = 0

function setup(thread)
   thread:set("thread_id", next_thread)
   next_thread = next_thread + 1
end

local clients, threads, counter

function init(args)
   clients = tonumber(args[1]) or 200
   threads = tonumber(args[2]) or 1
   if clients < threads then threads = clients end
   counter = 0
end

local function client_id(i)
   return string.format("bench%027d", i)
end

function request()
   -- this thread's k-th id is t + k*threads; it owns ceil((clients - t)/threads) of them
   local t = (thread_id or 0) % threads
   local owned = math.floor((clients - t + threads - 1) / threads)
   local i = t + (counter % owned) * threads
   counter = counter + 1
   return wrk.format(nil, nil, { ["Cookie"] = "PHPSESSID=" .. client_id(i) })
end
