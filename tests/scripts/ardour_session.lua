-- Eighttrack in Ardour 7, headless (ardour7-lua, "None (Dummy)" backend).
--   ardour7-lua tests/scripts/ardour_session.lua create DIR
--       new session in DIR, MIDI track + plugin, parameters, Play
--       automation, a one-bar loop recorded on track 3 and then one on
--       track 5, saved, closed
--   ardour7-lua tests/scripts/ardour_session.lua reopen DIR FRAMES3 FRAMES5
--       load it again: the values set and both loops (FRAMES3 and FRAMES5
--       long) are back and play
-- Run by tests/scripts/test_ardour.sh, which reads only the lines that start with
-- "ET:" (ardour7-lua prints much else) and compares the PARAM lines with
-- lv2info.  A failed check prints "ET:FAIL ..." and exits non-zero.

local mode, dir = arg[1], arg[2]
local want_frames = { [3] = tonumber(arg[3]), [5] = tonumber(arg[4]) } -- reopen: each loop's length
local URI = "urn:eighttrack:plugin"
local TRACK = "Eighttrack"
local SNAP = "et"

local function out(...)
	local t = { ... }
	for i = 1, #t do t[i] = tostring(t[i]) end
	print("ET: " .. table.concat(t, " "))
end

local function fail(msg)
	print("ET:FAIL " .. msg)
	if Session then Session:request_stop(false, false, ARDOUR.TransportRequestSource.TRS_UI) end
	os.exit(1)
end

local function check(cond, msg)
	if not cond then fail(msg) end
end

if (mode ~= "create" and mode ~= "reopen") or not dir then
	fail("usage: ardour_session.lua create DIR | reopen DIR FRAMES")
end

-- "None (Dummy)" generates a sine on its capture ports with this device.
check(AudioEngine:set_backend("None (Dummy)", "", ""), "cannot select the None (Dummy) backend")
check(AudioEngine:set_device_name("Sine Wave") == 0, "Dummy backend has no 'Sine Wave' device")
check(AudioEngine:set_buffer_size(1024) == 0, "cannot set the buffer size")

if mode == "create" then
	check(create_session(dir, SNAP, 48000), "create_session failed in " .. dir)
else
	check(load_session(dir, SNAP), "load_session failed in " .. dir)
end
check(Session, "no session")
local sr = Session:nominal_sample_rate()
out("session", mode, Session:name(), "rate", sr, "block", Session:get_block_size())

-- ------------------------------------------------------------ helpers
local function plugin_of(route)
	local proc = route:nth_plugin(0)
	check(not proc:isnil(), "no plugin on track " .. route:name())
	local pi = proc:to_insert()
	local plug = pi:plugin(0)
	check(plug:unique_id() == URI, "first plugin is " .. plug:unique_id() .. ", not " .. URI)
	return proc, pi, plug
end

-- Parameter number (what LuaAPI takes) of each control port, by its name.
local function param_table(plug)
	local by_name, list = {}, {}
	for n = 0, plug:parameter_count() - 1 do
		local port, r = plug:nth_parameter(n, true)
		if r[2] and plug:parameter_is_control(port) then
			local name = plug:parameter_label(port)
			local _, d = plug:get_parameter_descriptor(port, ARDOUR.ParameterDescriptor())
			local e = { n = n, port = port, name = name, desc = d[2],
			            input = plug:parameter_is_input(port) }
			by_name[name] = e
			list[#list + 1] = e
		end
	end
	return by_name, list
end

local function get(proc, e)
	local v, r = ARDOUR.LuaAPI.get_processor_param(proc, e.n, true)
	check(r[3], "cannot read " .. e.name)
	return v
end

local function set(proc, e, v)
	check(ARDOUR.LuaAPI.set_processor_param(proc, e.n, v), "cannot set " .. e.name .. " to " .. v)
end

local function cycles(n)
	check(ARDOUR.LuaAPI.wait_for_process_callback(n, 5000), "the engine does not run process cycles")
end

local function fmt(x) return string.format("%.4f", x) end

-- ------------------------------------------------------------ create
if mode == "create" then
	local midi = ARDOUR.DataType("midi")
	local tl = Session:new_midi_track(ARDOUR.ChanCount(midi, 1), ARDOUR.ChanCount(ARDOUR.DataType("audio"), 2),
		true, ARDOUR.PluginInfo(), nil, nil, 1, TRACK, ARDOUR.PresentationInfo.max_order,
		ARDOUR.TrackMode.Normal, true, false)
	local track
	for t in tl:iter() do track = t end
	check(track, "new_midi_track made no track")

	check(not ARDOUR.LuaAPI.new_plugin_info(URI, ARDOUR.PluginType.LV2):isnil(),
		"Ardour does not know " .. URI .. " (is LV2_PATH right?)")
	local p = ARDOUR.LuaAPI.new_plugin(Session, URI, ARDOUR.PluginType.LV2, "")
	check(not p:isnil(), "new_plugin(" .. URI .. ") failed")
	-- What the README tells users: strict I/O may stay on (Ardour's default);
	-- the track gets two audio inputs, fed from the synth (here: the Dummy
	-- backend's sine).  (Strict I/O off with the same two inputs records
	-- the same; without the inputs the plugin gets no audio either way.)
	check(track:strict_io(), "a new MIDI track does not have strict I/O")
	check(track:add_processor_by_index(p, 0, nil, true) == 0, "add_processor_by_index failed")
	local audio = ARDOUR.DataType("audio")
	local inp = track:input()
	while inp:n_ports():n_audio() < 2 do
		check(inp:add_port("", nil, audio) == 0, "cannot add an audio input to the track")
	end
	inp:disconnect_all(nil)
	for c = 1, 2 do
		check(inp:connect(inp:audio(c - 1), "system:capture_" .. c, nil) == 0, "cannot connect system:capture_" .. c)
	end
	track:monitoring_control():set_value(ARDOUR.MonitorChoice.MonitorInput, PBD.GroupControlDisposition.NoGroup)
	cycles(4)
	local outp = track:output()
	out("track", track:name(), "strict_io", track:strict_io(), "inputs midi", inp:n_ports():n_midi(),
		"audio", inp:n_ports():n_audio(), "outputs midi", outp:n_ports():n_midi(), "audio", outp:n_ports():n_audio())
	check(outp:n_ports():n_midi() == 1 and outp:n_ports():n_audio() == 2,
		"the track does not output the plugin's MIDI and stereo audio")
end

local route = Session:route_by_name(TRACK)
check(not route:isnil(), "no track named " .. TRACK)
local proc, pi, plug = plugin_of(route)
local P, list = param_table(plug)
local natural = pi:natural_input_streams()
out("plugin", plug:unique_id(), plug:name(), "inputs audio", natural:n_audio(), "midi", natural:n_midi())

-- Every control port as Ardour sees it: the shell compares with lv2info.
for _, e in ipairs(list) do
	local d = e.desc
	out(string.format("PARAM %d %s %s %s %s %d %d %d %s|%s", e.port, e.input and "in" or "out",
		fmt(d.lower), fmt(d.upper), fmt(d.normal),
		d.toggled and 1 or 0, d.integer_step and 1 or 0, d.enumeration and 1 or 0,
		fmt(get(proc, e)), e.name))
end

local function need(name)
	check(P[name], "Ardour shows no parameter named '" .. name .. "'")
	return P[name]
end
local arm, mute1 = need("Loop arm"), need("Track 1 mute")
local state, length = need("Loop state"), need("Loop length")
local state3, state5 = need("Track 3 loop state"), need("Track 5 loop state")
local active, autoch, tr3 = need("Active track"), need("Auto channel"), need("Track 3 transpose")

local tm = Temporal.TempoMap.read()
local bpm = tm:tempo_at(Temporal.timepos_t(0)):note_types_per_minute()
local bpb = tm:meter_at(Temporal.timepos_t(0)):divisions_per_bar()
local bar = sr * 60 / bpm * bpb -- frames
out("tempo", bpm, "bpm", bpb, "/ bar, bar =", bar, "frames")

if mode == "create" then
	-- (c) values to find again after reopening
	set(proc, active, 3)
	set(proc, autoch, 10)
	set(proc, tr3, -7)
	cycles(4)
	out("set active_track", get(proc, active), "auto_channel", get(proc, autoch), "track3_transpose", get(proc, tr3))
	check(get(proc, active) == 3 and get(proc, autoch) == 10 and get(proc, tr3) == -7, "values did not stick")

	-- (b) Play automation: loop_arm up at 0.25 bar, down at 1.5 bars (quantize
	-- Bar: records bar 2, i.e. [1 bar, 2 bars), into track 3's loop); up
	-- again at 2.5 bars, down at 3.5 bars (records [3 bars, 4 bars) into
	-- track 5's loop: active_track is set to 5 from here once loop 3
	-- plays, at 2 bars, a second before that arm); track1_mute up at 0.5
	-- bar, down at 1.25 bars.
	check(get(proc, need("Loop quantize")) == 2, "loop_quantize is not Bar")
	local function automate(e, points)
		local al = ARDOUR.LuaAPI.plugin_automation(proc, e.n)
		check(not al:isnil(), "no automation list for " .. e.name)
		al:clear_list()
		for _, pt in ipairs(points) do
			al:add(Temporal.timepos_t(math.floor(pt[1])), pt[2], false, false)
		end
		local ac = pi:to_automatable():automation_control(Evoral.Parameter(ARDOUR.AutomationType.PluginAutomation, 0, e.port), false)
		check(not ac:isnil(), "no automation control for " .. e.name)
		ac:set_automation_state(ARDOUR.AutoState.Play)
		check(ac:automation_state() == ARDOUR.AutoState.Play, e.name .. " is not in Play")
		out("automation", e.name, "Play, events", al:size())
		return ac
	end
	local arm_on, arm_off = 0.25 * bar, 1.5 * bar
	local arm_on2, arm_off2 = 2.5 * bar, 3.5 * bar
	local mute_on, mute_off = 0.5 * bar, 1.25 * bar
	automate(arm, { { 0, 0 }, { arm_on, 1 }, { arm_off, 0 }, { arm_on2, 1 }, { arm_off2, 0 } })
	automate(mute1, { { 0, 0 }, { mute_on, 1 }, { mute_off, 0 } })

	-- The loop states of tracks 3 and 5 (loop_state is the active track's).
	local watch = { [3] = state3, [5] = state5 }
	Session:request_locate(0, false, ARDOUR.LocateTransportDisposition.MustStop, ARDOUR.TransportRequestSource.TRS_UI)
	cycles(8)
	Session:request_roll(ARDOUR.TransportRequestSource.TRS_UI)
	local seen = { [3] = {}, [5] = {} } -- first transport frame at which each state showed
	local last = { [3] = -1, [5] = -1 }
	local left = {} -- where a loop stopped playing
	local mute_seen = {}
	local last_mute = -1
	local switched = nil
	local t0 = os.time()
	while Session:transport_sample() < 4.25 * bar do
		cycles(1)
		check(os.time() - t0 < 40, "transport did not reach 4.25 bars within 40 s")
		local pos = Session:transport_sample()
		for _, t in ipairs({ 3, 5 }) do
			local s = get(proc, watch[t])
			if s ~= last[t] then
				if last[t] == 3 then left[t] = left[t] or pos end
				out("at", pos, "frames (" .. fmt(pos / bar) .. " bars): track" .. t .. "_loop_state", s,
					"loop_arm", get(proc, arm), "active_track", get(proc, active))
				seen[t][s] = seen[t][s] or pos
				last[t] = s
			end
		end
		local m = get(proc, mute1)
		if m ~= last_mute then
			out("at", pos, "frames (" .. fmt(pos / bar) .. " bars): track1_mute", m)
			mute_seen[#mute_seen + 1] = { pos, m }
			last_mute = m
		end
		-- Loop 3 plays: the next take goes to track 5.
		if not switched and last[3] == 3 then
			set(proc, active, 5)
			switched = pos
			out("at", pos, "frames (" .. fmt(pos / bar) .. " bars): active_track set to 5")
			check(pos < arm_on2, "loop 3 played only after the second arm")
		end
	end
	Session:request_stop(false, false, ARDOUR.TransportRequestSource.TRS_UI)
	cycles(8)
	-- The script polls between cycles: the transport position it reads can
	-- lag the cycle the plugin has just run by one block (seen once under
	-- load: state 3 read at 191488, the start of the cycle holding bar 3).
	local slack = Session:get_block_size()
	local function states(t, on, from, off, to)
		local s = seen[t]
		check(s[1] and s[1] >= on - slack, "track" .. t .. "_loop_state never went to 1 (armed) after loop_arm rose")
		check(s[2] and s[2] >= from - slack and s[2] < off + slack,
			"track" .. t .. "_loop_state never went to 2 (recording) on bar " .. math.floor(from / bar + 1.5))
		check(s[3] and s[3] >= to - slack, "track" .. t .. "_loop_state never went to 3 (playing) on bar " .. math.floor(to / bar + 1.5))
	end
	states(3, arm_on, bar, arm_off, 2 * bar)
	states(5, arm_on2, 3 * bar, arm_off2, 4 * bar)
	check(not left[3] and not left[5], "a loop stopped playing (track " .. (left[3] and 3 or 5) .. ", at frame "
		.. tostring(left[3] or left[5]) .. ")")
	check(#mute_seen == 3 and mute_seen[2][2] == 1 and mute_seen[2][1] >= mute_on - slack
	      and mute_seen[2][1] < mute_off + slack
	      and mute_seen[3][2] == 0 and mute_seen[3][1] >= mute_off - slack,
	      "track1_mute did not follow its automation (on at 0.5 bar, off at 1.25 bars)")
	-- The contract wants exactly one bar (96000 frames at 120 BPM, 48 kHz).
	-- Ardour 7.3 sends a time:Position at the start of every cycle while
	-- rolling here, with time:barBeat rounded to its BBT resolution, 1/1920
	-- beat (a "tick", 12.5 frames here).  The clock keeps its exact mapping
	-- while positions only continue the transport (clock.c), so the loop is
	-- exactly one bar; before that fix it was 96006 frames.
	-- (loop_length is the active track's: each read with its track active;
	-- then track 3 is the active track again, as the reopen expects.)
	local tick = sr * 60 / bpm / 1920
	for _, t in ipairs({ 5, 3 }) do
		set(proc, active, t)
		cycles(4)
		local len = get(proc, length)
		local frames = math.floor(len * sr + 0.5)
		out("recorded track", t, "loop_length", fmt(len), "s =", frames, "frames, one bar =", math.floor(bar),
			"frames, deviation", math.floor(frames - bar), "frames (one tick =", tick, "frames), loop_state", get(proc, state))
		check(frames > 0, "no loop was recorded on track " .. t .. " (loop_length 0)")
		check(frames == math.floor(bar + 0.5), "the loop of track " .. t .. " is not exactly one bar")
		check(get(proc, state) == 3, "loop_state is not 3 (playing) with track " .. t .. " active")
	end
	for t = 1, 8 do
		local want = (t == 3 or t == 5) and 3 or 0
		check(get(proc, need("Track " .. t .. " loop state")) == want,
			"track" .. t .. "_loop_state is not " .. want .. " after the takes")
	end
	out("loop states after the takes: track3 3, track5 3, the others 0")

	check(Session:save_state("", false, false, false, false, false) == 0, "save_state failed")
	out("saved", dir)
	close_session()
	out("closed")
else
	cycles(16)
	out("reopened active_track", get(proc, active), "auto_channel", get(proc, autoch),
		"track3_transpose", get(proc, tr3))
	check(get(proc, active) == 3, "active_track did not come back as 3")
	check(get(proc, autoch) == 10, "auto_channel did not come back as 10")
	check(get(proc, tr3) == -7, "track3_transpose did not come back as -7")
	check(want_frames[3] and want_frames[5], "reopen needs the recorded lengths in frames")
	for t = 1, 8 do
		local want = want_frames[t] and 3 or 0
		local s = get(proc, need("Track " .. t .. " loop state"))
		check(s == want, "track" .. t .. "_loop_state is " .. s .. " after reopening, not " .. want)
	end
	for _, t in ipairs({ 5, 3 }) do
		set(proc, active, t)
		cycles(4)
		local len = get(proc, length)
		out("reopened track", t, "loop_length", fmt(len), "s =", math.floor(len * sr + 0.5), "frames, loop_state",
			get(proc, state), "track" .. t .. "_loop_state", get(proc, need("Track " .. t .. " loop state")))
		check(len > 0, "the loop of track " .. t .. " did not come back (loop_length 0)")
		check(math.floor(len * sr + 0.5) == want_frames[t],
			"the loop of track " .. t .. " came back with another length than " .. want_frames[t])
		check(get(proc, state) == 3, "loop_state is not 3 (playing) with track " .. t .. " active after reopening")
	end
	-- Roll a little (stopping before the saved loop_arm automation rises at
	-- 0.25 bar): the loops play, their positions move with the transport,
	-- in phase (both are one bar long and started on a bar: the place in
	-- the loop is the place in the bar, within three blocks: the plugin's
	-- last block, and a cycle that may run between the script's two
	-- reads).  loop_position is the active track's: track 3's loop first,
	-- then track 5's (active_track set from here at 0.1 bar).
	local posn = need("Loop position")
	local slack = 3 * Session:get_block_size() / bar
	Session:request_roll(ARDOUR.TransportRequestSource.TRS_UI)
	local seen, t0 = {}, os.time()
	local now = 3
	while Session:transport_sample() < 0.2 * bar do
		cycles(1)
		check(os.time() - t0 < 10, "transport did not roll after reopening")
		local pos = Session:transport_sample()
		if pos > 0 then
			local v = get(proc, posn)
			local p = seen[now] or { first = v, moved = false, worst = 0, n = 0 }
			seen[now] = p
			p.moved = p.moved or v ~= p.first
			p.last = v
			p.n = p.n + 1
			p.worst = math.max(p.worst, math.abs(v - (pos % bar) / bar))
		end
		if now == 3 and pos >= 0.1 * bar then
			set(proc, active, 5)
			now = 5
		end
	end
	Session:request_stop(false, false, ARDOUR.TransportRequestSource.TRS_UI)
	cycles(4)
	for _, t in ipairs({ 3, 5 }) do
		local p = seen[t]
		check(p, "no loop_position read with track " .. t .. " active")
		out("reopened and rolled to", Session:transport_sample(), "frames: track", t, "loop_position",
			fmt(p.first), "->", fmt(p.last), "over", p.n, "cycles, at most", fmt(p.worst),
			"from the place in the bar")
		check(p.moved, "loop_position of track " .. t .. " did not move while the reopened session rolled")
		check(p.worst <= slack, "loop_position of track " .. t .. " strays from the place in the bar by " .. fmt(p.worst))
	end
	check(get(proc, need("Track 3 loop state")) == 3 and get(proc, need("Track 5 loop state")) == 3
		and get(proc, arm) == 0, "the reopened loops are not playing, or one re-armed")
	out("reopened loop states after rolling: track3 3, track5 3, loop_arm 0")
	close_session()
	out("closed")
end
