-- Headless Neovim 0.7 (vim.lsp.start_client; vim.lsp.start is 0.8+) drives the stdio server:
-- waits for diagnostics, asks for a hover, writes both as JSON to $EQL_OUT and quits.
vim.api.nvim_create_autocmd('VimEnter', {
  callback = function()
    local bufnr = vim.api.nvim_get_current_buf()
    local result = { diagnostics = {}, hover = vim.NIL, error = vim.NIL }
    local ok, err = pcall(function()
      local id = vim.lsp.start_client({
        name = 'eql-rules',
        cmd = { vim.env.EQL_NODE, vim.env.EQL_SERVER, '--stdio' },
        root_dir = vim.env.EQL_ROOT,
      })
      assert(id, 'start_client failed')
      vim.lsp.buf_attach_client(bufnr, id)
      vim.wait(20000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
      for _, d in ipairs(vim.diagnostic.get(bufnr)) do
        table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, message = d.message, code = d.code, severity = d.severity })
      end
      local pos = { line = tonumber(vim.env.EQL_HOVER_LINE), character = tonumber(vim.env.EQL_HOVER_CHAR) }
      local replies = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = pos }, 15000)
      for _, r in pairs(replies or {}) do
        if r.result then result.hover = r.result end
      end
    end)
    if not ok then result.error = tostring(err) end
    local f = io.open(vim.env.EQL_OUT, 'w')
    f:write(vim.fn.json_encode(result))
    f:close()
    vim.cmd(ok and 'qall!' or 'cquit! 1')
  end,
})
