-- aksguard for Neovim's built-in LSP client (Neovim 0.10 or newer). Put this file in
-- ~/.config/nvim/plugin/ (or paste it into init.lua); `aksguard` must be on PATH, or set
-- vim.g.aksguard_path to the binary before this file runs.
-- Quick fixes: vim.lsp.buf.code_action(); the finding under the cursor: K (hover).
-- Saving aksguard.toml re-lints the open files.

local minimum = "0.10"
if vim.fn.has("nvim-" .. minimum) ~= 1 then
  local v = vim.version and vim.version() or { major = 0, minor = 0, patch = 0 }
  vim.api.nvim_echo({
    {
      string.format(
        "aksguard: needs Neovim %s or newer, this is %d.%d.%d; the language server is not set up",
        minimum,
        v.major,
        v.minor,
        v.patch
      ),
      "ErrorMsg",
    },
  }, true, {})
  return
end

local config = {
  name = "aksguard",
  cmd = { vim.g.aksguard_path or "aksguard", "lsp", "--stdio" },
  -- `hcl`/`terraform-vars`: how Neovim names .tfvars; `bicep` needs a filetype plugin or
  -- vim.filetype.add({ extension = { bicep = "bicep" } }).
  -- `dockerfile` covers Dockerfile, Containerfile and *.Dockerfile; workflows and Azure
  -- Pipelines files are `yaml`.
  filetypes = {
    "terraform",
    "terraform-vars",
    "hcl",
    "bicep",
    "bicep-params",
    "json",
    "jsonc",
    "yaml",
    "dockerfile",
  },
  root_markers = { "aksguard.toml", ".git" },
}

if vim.fn.has("nvim-0.11") == 1 then
  vim.lsp.config("aksguard", config)
  vim.lsp.enable("aksguard")
else
  vim.api.nvim_create_autocmd("FileType", {
    pattern = config.filetypes,
    callback = function(args)
      local markers = vim.fs.find(config.root_markers, {
        upward = true,
        path = vim.fs.dirname(vim.api.nvim_buf_get_name(args.buf)),
      })
      vim.lsp.start({
        name = config.name,
        cmd = config.cmd,
        root_dir = markers[1] and vim.fs.dirname(markers[1]) or vim.fn.getcwd(),
      })
    end,
  })
end

-- Neovim on Linux does not offer the server file watching, so a saved aksguard.toml is
-- announced the way a watcher would: the server then re-lints every open document.
vim.api.nvim_create_autocmd("BufWritePost", {
  pattern = "aksguard.toml",
  callback = function(args)
    local params = {
      changes = { { uri = vim.uri_from_bufnr(args.buf), type = 2 } },
    }
    for _, client in ipairs(vim.lsp.get_clients({ name = "aksguard" })) do
      if vim.fn.has("nvim-0.11") == 1 then
        client:notify("workspace/didChangeWatchedFiles", params)
      else
        client.notify("workspace/didChangeWatchedFiles", params)
      end
    end
  end,
})
