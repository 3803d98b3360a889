-- aksguard for Neovim's built-in LSP client. Put this file in ~/.config/nvim/plugin/ (or
-- paste it into init.lua); `aksguard` must be on PATH, or change `cmd`.
-- Quick fixes: vim.lsp.buf.code_action(); documentation: K (hover) on a finding.

local config = {
  name = "aksguard",
  cmd = { "aksguard", "lsp" },
  -- `hcl`/`terraform-vars`: how Neovim names .tfvars; `bicep` needs a filetype plugin or
  -- vim.filetype.add({ extension = { bicep = "bicep" } }).
  -- `dockerfile` covers Dockerfile, Containerfile and *.Dockerfile; workflows and Azure
  -- Pipelines files are `yaml`.
  filetypes = { "terraform", "terraform-vars", "hcl", "bicep", "json", "jsonc", "yaml", "dockerfile" },
  root_markers = { "aksguard.toml", ".git" },
}

if vim.lsp.config then
  -- Neovim 0.11+
  vim.lsp.config("aksguard", config)
  vim.lsp.enable("aksguard")
else
  -- Neovim 0.8 to 0.10
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
