import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bin/', 'bench/.data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ]
    }
  },
  {
    // The pure core: no I/O, no clock, no @actions/* (DESIGN.md, principle 6).
    files: ['src/{policy,sketch,stats,analysis,decide,report}/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'node:*',
            'fs',
            'fs/*',
            'path',
            'os',
            'child_process',
            '@actions/*',
            '**/sources/file/*',
            '**/state/*',
            '**/action/*',
            '**/cli/*'
          ]
        }
      ],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now' }]
    }
  }
)
