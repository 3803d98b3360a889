-- Drives a real Neovim (headless) with editors/neovim/aksguard.lua: diagnostics equal to
-- what `aksguard check` reports for the open file, hover on a finding, a quick fix, and a
-- re-lint when aksguard.toml is saved. Run by neovim.sh:
--   nvim --headless --clean -c "luafile neovim.lua"
-- with AKSGUARD (the binary), PLUGIN (aksguard.lua), FOLDER (a copy of testdata/example)
-- and EXPECTED (`aksguard check --format json` of FOLDER) in the environment.

local function log(message)
  io.stdout:write("neovim e2e: " .. message .. "\n")
end

local function env(name)
  return os.getenv(name) or error(name .. " is not set (run editors/e2e/neovim.sh)")
end

local function read(path)
  local file = assert(io.open(path, "r"))
  local text = file:read("*a")
  file:close()
  return text
end

local function wait(what, condition, timeout)
  if not vim.wait(timeout or 30000, condition, 50) then
    error("timed out waiting for " .. what, 2)
  end
end

-- "RULE line:column first line of the message", 1-based as `aksguard check` prints them.
local function key(rule, line, column, message)
  return string.format("%s %d:%d %s", rule, line, column, (message:gsub("\n.*", "")))
end

local function shown(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == "aksguard" then
      table.insert(out, key(d.code, d.lnum + 1, d.col + 1, d.message))
    end
  end
  table.sort(out)
  return out
end

local function main()
  vim.g.aksguard_path = env("AKSGUARD")
  vim.cmd.source(env("PLUGIN"))
  vim.cmd.cd(env("FOLDER"))
  local file = "terraform/main.tf"
  local report = vim.json.decode(read(env("EXPECTED")))
  local expected = {}
  local target
  for _, f in ipairs(report.findings) do
    if not f.suppressed and f.path:gsub("\\", "/"):sub(-#file) == file then
      table.insert(expected, key(f.rule, f.line, f.column, f.message))
      if f.rule == "AKS012" then
        target = f
      end
    end
  end
  table.sort(expected)
  assert(#expected > 0 and target, "the example has no findings (or no AKS012) in " .. file)

  local started = vim.uv.hrtime()
  vim.cmd.edit(file)
  local buf = vim.api.nvim_get_current_buf()
  local same = function()
    return vim.deep_equal(shown(buf), expected)
  end
  local ok = vim.wait(30000, same, 20)
  if not ok then
    error(
      "diagnostics differ from aksguard check\nshown:\n  "
        .. table.concat(shown(buf), "\n  ")
        .. "\nexpected:\n  "
        .. table.concat(expected, "\n  ")
    )
  end
  log(
    string.format(
      "diagnostics: the same %d findings as aksguard check, %d ms after opening %s",
      #expected,
      (vim.uv.hrtime() - started) / 1e6,
      file
    )
  )

  -- Hover (K) on the AKS012 finding: a short text about that finding.
  vim.api.nvim_win_set_cursor(0, { target.line, target.column - 1 })
  vim.lsp.buf.hover()
  local float
  wait("the hover window", function()
    for _, win in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(win).relative ~= "" then
        float = win
        return true
      end
    end
    return false
  end)
  local text = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(float), 0, -1, false), "\n")
  vim.api.nvim_win_close(float, true)
  assert(text:find("AKS012", 1, true), "hover does not name AKS012:\n" .. text)
  assert(text:find(target.message, 1, true), "hover lacks the finding's message:\n" .. text)
  assert(text:find("aksguard rule AKS012", 1, true), "hover lacks the link to the rule:\n" .. text)
  assert(not text:find("seed/", 1, true), "hover cites a repository file:\n" .. text)
  assert(#text < 2000, string.format("hover is %d characters:\n%s", #text, text))
  log(string.format("hover: %d characters about AKS012", #text))

  -- The quick fix for AKS012, applied through the client.
  vim.lsp.buf.code_action({
    filter = function(action)
      return action.title:find("^AKS012") ~= nil
    end,
    apply = true,
  })
  local fixed = key(target.rule, target.line, target.column, target.message)
  wait("the AKS012 quick fix to be applied and re-linted", function()
    local now = shown(buf)
    return #now == #expected - 1 and not vim.tbl_contains(now, fixed)
  end)
  local line = vim.api.nvim_buf_get_lines(buf, target.line - 1, target.line, false)[1]
  assert(line:find('"NodeImage"', 1, true), "the fixed line is " .. line)
  log("quick fix: " .. vim.trim(line) .. "; AKS012 gone")

  -- Saving aksguard.toml re-lints the open file.
  local before = #shown(buf)
  local ignored = 0
  for _, k in ipairs(shown(buf)) do
    if k:find("^AKS016 ") then
      ignored = ignored + 1
    end
  end
  assert(ignored > 0, "no AKS016 finding to ignore")
  vim.cmd.edit("aksguard.toml")
  vim.api.nvim_buf_set_lines(0, 2, 2, false, { 'ignore = ["AKS016"]' })
  vim.cmd("silent write")
  vim.cmd.buffer(buf)
  wait("the re-lint after saving aksguard.toml", function()
    local now = shown(buf)
    return #now == before - ignored
      and not vim.iter(now):any(function(k)
        return k:find("^AKS016 ") ~= nil
      end)
  end)
  log(string.format("config re-lint: %d findings after ignoring AKS016", before - ignored))
end

local ok, err = xpcall(main, debug.traceback)
if ok then
  log("passed")
  vim.cmd("qall!")
else
  io.stderr:write("neovim e2e: FAILED: " .. tostring(err) .. "\n")
  vim.cmd("cquit 1")
end
