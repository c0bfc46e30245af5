# As palavras do Rapport em português do Brasil. As chaves nomeiam o sentido;
# o código as escreve com pontos (`nav.home`), que aqui viram hífens (`nav-home`).

app-name = Rapport

## Navegação e moldura da página
nav-main = Principal
nav-home = Início
nav-contacts = Contatos
nav-companies = Empresas
nav-leads = Leads
nav-deals = Negócios
nav-activities = Atividades
nav-board = Quadro de negócios
nav-search = Busca
nav-skip = Pular para o conteúdo
nav-menu = Menu
top-search-placeholder = Buscar pessoas, empresas, negócios…
top-search-label = Buscar
top-new = Novo
top-user-menu = Sua conta
top-language = Idioma
top-sign-out = Sair
top-shortcuts = Atalhos de teclado

## Tipos de registro
kind-contacts = Contatos
kind-contacts-one = Contato
kind-companies = Empresas
kind-companies-one = Empresa
kind-leads = Leads
kind-leads-one = Lead
kind-deals = Negócios
kind-deals-one = Negócio
kind-activities = Atividades
kind-activities-one = Atividade
kind-gadgets = Gadgets
kind-gadgets-one = Gadget
kind-contacts-empty = Contatos são as pessoas para quem você vende e a quem atende: adicione o primeiro ou importe uma planilha.
kind-companies-empty = Empresas reúnem os contatos e negócios de um mesmo cliente.
kind-leads-empty = Leads são pessoas ou empresas que demonstraram interesse e ainda não foram qualificadas.
kind-deals-empty = Negócios são as vendas em andamento, etapa por etapa.
kind-activities-empty = Ligações, reuniões, tarefas e notas: tudo o que foi feito ou falta fazer com um cliente.
kind-gadgets-empty = Gadgets existem só nos testes.

## Grupos de campos
group-main = Principal
group-details = Detalhes
group-address = Endereço
group-source = Origem
group-schedule = Agenda
group-conversion = Conversão
group-system = Sistema
group-custom = Campos personalizados

## Campos
field-first-name = Nome
field-last-name = Sobrenome
field-emails = E-mails
field-email = E-mail
field-phones = Telefones
field-phone = Telefone
field-company-id = Empresa
field-job-title = Cargo
field-birth-date = Data de nascimento
field-preferred-channel = Canal preferido
field-lifecycle-stage = Etapa do ciclo de vida
field-lifecycle-stage-help = Em que ponto da jornada com você a pessoa está, de assinante a cliente.
field-consents = Consentimentos
field-consents-help = Sobre o que a pessoa aceitou ser contatada, por canal.
field-street = Rua
field-city = Cidade
field-state = Estado
field-postal-code = CEP
field-country = País
field-source-channel = Canal de origem
field-source-channel-help = De onde veio o registro: um formulário do site, um evento, uma indicação…
field-source-campaign = Campanha de origem
field-utm-source = Origem UTM
field-utm-medium = Mídia UTM
field-utm-campaign = Campanha UTM
field-name = Nome
field-domain = Domínio
field-domain-help = O domínio do site da empresa, como acme.com.br: serve para reconhecer a mesma empresa depois.
field-industry = Setor
field-size-band = Porte
field-tax-id = Identificação fiscal
field-tax-id-help = CNPJ, CUIT, RUT ou outro número nacional de empresa.
field-website = Site
field-parent-company-id = Empresa controladora
field-company-name = Nome da empresa
field-disqualified-reason = Motivo da desqualificação
field-score = Pontuação
field-score-help = A chance de o lead comprar, de 0 a 100.
field-converted-contact-id = Convertido em contato
field-converted-company-id = Convertido em empresa
field-converted-deal-id = Convertido em negócio
field-contact-id = Contato principal
field-contacts = Contatos
field-contacts-help = Outras pessoas envolvidas no negócio, cada uma com um papel.
field-pipeline-id = Funil
field-stage-id = Etapa
field-amount-minor = Valor
field-currency = Moeda
field-expected-close-date = Previsão de fechamento
field-probability = Probabilidade (%)
field-probability-help = Definida pela etapa, a menos que você a altere.
field-probability-overridden = Probabilidade definida manualmente
field-competitor = Concorrente
field-lost-reason = Motivo da perda
field-status = Status
field-closed-at = Fechado em
field-subject = Assunto
field-body = Anotações
field-due-at = Prazo
field-starts-at = Início
field-ends-at = Fim
field-done = Concluída
field-outcome = Resultado
field-duration-minutes = Duração (minutos)
field-related = Registros relacionados
field-related-help = Os contatos, empresas e negócios a que esta atividade se refere.
field-participants = Participantes
field-reminder-at = Lembrete
field-reminder-at-help = Você recebe uma notificação nesse horário.
field-owner-id = Responsável
field-tags = Etiquetas
field-created-at = Criado em
field-updated-at = Atualizado em
field-label = Rótulo
field-serial = Número de série
field-support-email = E-mail de suporte
field-colour = Cor
field-weight-grams = Peso (g)
field-made-on = Fabricado em
field-maker-id = Fabricante
field-price = Preço
field-parts = Peças
field-parts-total = Total de peças
activity-field-kind = Tipo
lead-field-status = Status do lead
deal-field-amount = Valor
deal-field-status = Situação
deal-field-status-help = Aberto, ganho ou perdido: acompanha a etapa.

## Valores dos campos de escolha
enum-lifecycle-stage-subscriber = Assinante
enum-lifecycle-stage-lead = Lead
enum-lifecycle-stage-qualified = Qualificado
enum-lifecycle-stage-opportunity = Oportunidade
enum-lifecycle-stage-customer = Cliente
enum-lifecycle-stage-evangelist = Evangelizador
enum-lifecycle-stage-other = Outro
enum-preferred-channel-email = E-mail
enum-preferred-channel-phone = Telefone
enum-preferred-channel-whatsapp = WhatsApp
enum-preferred-channel-sms = SMS
enum-size-band-1-10 = 1–10 pessoas
enum-size-band-11-50 = 11–50 pessoas
enum-size-band-51-200 = 51–200 pessoas
enum-size-band-201-500 = 201–500 pessoas
enum-size-band-501-1000 = 501–1.000 pessoas
enum-size-band-1001-5000 = 1.001–5.000 pessoas
enum-size-band-5001- = Mais de 5.000 pessoas
enum-status-new = Novo
enum-status-contacted = Contatado
enum-status-qualified = Qualificado
enum-status-disqualified = Desqualificado
enum-status-converted = Convertido
enum-status-open = Em aberto
enum-status-won = Ganho
enum-status-lost = Perdido
enum-kind-task = Tarefa
enum-kind-call = Ligação
enum-kind-meeting = Reunião
enum-kind-email = E-mail
enum-kind-note = Nota
enum-colour-red = Vermelho
enum-colour-green = Verde
enum-colour-blue = Azul
value-yes = Sim
value-no = Não
value-none = —

## Ações
action-new = Adicionar { $kind }
action-close = Fechar
palette-title = Paleta de comandos
palette-commands = Ir para e criar
action-save = Salvar
action-cancel = Cancelar
action-edit = Editar
action-delete = Excluir
action-delete-confirm = Mover este registro para a lixeira? Ele pode ser restaurado por 30 dias.
action-load-more = Carregar mais
action-filter = Filtrar
action-clear-filters = Limpar
action-sign-in = Entrar
action-create-admin = Criar o administrador
action-log = Registrar
action-mark-done = Marcar como concluída
action-move = Mover
action-search = Buscar
action-back = Voltar
action-keep-mine = Salvar a minha versão
action-take-theirs = Descartar a minha e manter a outra
action-open = Abrir

## Listas
list-sort = Ordenar por
list-sort-newest = Mais recentes primeiro
list-sort-oldest = Mais antigos primeiro
list-sort-ascending = { $field }, de A a Z
list-sort-descending = { $field }, de Z a A
list-filter-field = Campo
list-filter-operator = Condição
list-filter-value = Valor
list-export = Exportar CSV
list-export-vcard = Exportar vCard
list-export-vcard4 = Exportar vCard 4.0
list-export-menu = Exportar
list-export-xlsx = Excel (.xlsx)
list-export-background = CSV, preparado em segundo plano
exports-title = Exportação
exports-waiting = Aguardando o processamento…
exports-running = Gerando o arquivo: { $rows } registros até agora.
exports-done = Pronto: { $rows } registros.
exports-failed = A exportação falhou: { $error }
exports-download = Baixar
exports-hint = Você pode sair desta página: o arquivo fica disponível aqui por 7 dias.
exports-back = Voltar à lista
list-shown = { $count ->
    [one] Mostrando { $count }
   *[other] Mostrando { $count }
}
list-more-exist = há mais
list-select-row = Selecionar
list-empty-filtered = Nada corresponde a estes filtros.
op-eq = é
op-ne = não é
op-contains = contém
op-starts-with = começa com
op-gt = depois de / acima de
op-gte = a partir de / no mínimo
op-lt = antes de / abaixo de
op-lte = até / no máximo
op-in = é um de
op-is-empty = está vazio

## Páginas de registro
record-photo = Foto
record-personal-data = Dados pessoais (JSON)
record-details = Detalhes
record-timeline = Histórico
record-related = Relacionados
record-created = Criado em { $when }
record-updated = Atualizado em { $when } por { $who }
record-no-timeline = Nada aconteceu aqui ainda. Registre uma ligação ou uma nota para começar a história.
record-conflict-title = Outra pessoa alterou este registro enquanto você editava
record-conflict-body = A versão dela está abaixo, ao lado do que você digitou. Escolha qual manter.
record-conflict-theirs = Versão da outra pessoa
record-conflict-yours = Suas alterações
record-saved = Salvo.
record-deleted = Movido para a lixeira.
record-created-ok = Criado.
timeline-change = { $who } alterou { $fields }
timeline-created = { $who } criou este registro
timeline-stage = Movido de { $from } para { $to }
timeline-someone = Alguém
composer-title = Registrar uma atividade
composer-subject = O que aconteceu?
composer-kind = Tipo
composer-body = Anotações
composer-due = Prazo (para tarefas)
composer-reminder = Lembrete
related-contacts = Contatos
related-deals = Negócios
related-activities = Atividades
related-none = Nenhum ainda.

## Quadro de negócios
board-title = Quadro de negócios
board-pipeline = Funil
board-owner = Responsável
board-everyone = Todos
board-mine = Meus
board-count = { $count ->
    [0] Nenhum negócio
    [one] { $count } negócio
   *[other] { $count } negócios
}
board-weighted = ponderado { $amount }
board-more = Mais negócios
board-lost-reason-title = Por que este negócio foi perdido?
board-lost-reason-label = Motivo da perda
board-move-failed = Não foi possível mover o negócio: { $reason }
board-conflict = Outra pessoa alterou este negócio nesse meio-tempo; o quadro foi atualizado.
board-move-to = Mover para
board-overdue = Atrasado
board-no-amount = Sem valor

## Início
home-title = Meu dia
home-greeting = Que bom ver você, { $name }.
home-overdue = Tarefas atrasadas
home-today = Hoje
home-closing-soon = Meus negócios perto do fechamento
home-notifications = Notificações não lidas
home-nothing-overdue = Nada atrasado. Muito bem.
home-nothing-today = Nada agendado para hoje.
home-no-deals = Nenhum negócio aberto com fechamento nos próximos 30 dias.
home-snooze = Amanhã
home-no-notifications = Você está em dia.
home-recent = Vistos recentemente
home-no-recent = Os registros que você abrir aparecem aqui.

## Busca
search-title = Busca
search-results = Resultados para “{ $query }”
search-none = Nada encontrado para “{ $query }”.
search-hint = Digite um nome, um e-mail, um telefone ou uma empresa.

## Entrar
sign-in-title = Entrar no Rapport
sign-in-email = E-mail
sign-in-password = Senha
sign-in-failed = E-mail e senha não conferem. Verifique e tente de novo.
sign-in-throttled = Tentativas demais. Tente de novo em { $seconds } segundos.
sign-in-busy = O servidor está ocupado. Tente de novo em instantes.
sign-in-forgot = Esqueceu a senha? Peça ao administrador para definir uma nova.
sign-in-expired = Sua sessão expirou. Entre de novo para continuar.
setup-title = Boas-vindas ao Rapport
setup-intro = Crie a conta de administrador. Você pode convidar sua equipe depois.
setup-name = Seu nome
setup-done = Sua conta está pronta. Entre para começar.
setup-invalid = Este link de configuração não é mais válido: já existe um administrador.

## Erros
error-title = Algo deu errado
error-not-found = Isto não existe ou você não tem acesso.
error-forbidden = Você não tem permissão para fazer isso.
error-form = Alguns campos precisam da sua atenção.
error-internal = Algo deu errado do nosso lado. O erro foi registrado; tente de novo em instantes.
error-csrf = Este formulário expirou. Recarregue a página e tente de novo.
error-required = Preencha este campo.
error-too-long = Muito longo.
error-too-short = Muito curto.
error-invalid-email = Digite um e-mail válido, como nome@empresa.com.br.
error-invalid-phone = Digite um telefone válido, como +55 21 99775-2728.
error-invalid-url = Digite um endereço web, como https://exemplo.com.br.
error-invalid-domain = Digite um domínio, como exemplo.com.br.
error-invalid-date = Digite uma data.
error-invalid-datetime = Digite uma data e um horário.
error-invalid-number = Digite um número inteiro.
error-out-of-range = Este número está fora do intervalo permitido.
error-invalid-choice = Escolha uma das opções.
error-invalid-currency = Digite um código de moeda, como BRL ou USD.
error-invalid-country = Digite um código de país, como BR.
error-assignment-not-allowed = Você só pode atribuir registros a pessoas da sua equipe.
error-lost-reason-required = Informe por que o negócio foi perdido.
error-invalid-character = Contém um caractere que não pode ser armazenado.
error-derived-field = Definido pelo Rapport.
error-wrong-type = Este valor é do tipo errado.
error-version-mismatch = Outra pessoa alterou este registro nesse meio-tempo.
error-duplicate = Isto aparece duas vezes; cada um deve ser diferente.
error-won-lost-required = Um funil precisa de exatamente uma etapa de ganho e uma de perda.
error-unknown-reference = Isto se refere a algo que não existe.
error-stage-in-use = { $count ->
    [one] 1 negócio (contando a lixeira) está na etapa "{ $stage }": mova-o para outra etapa antes de removê-la.
   *[other] { $count } negócios (contando a lixeira) estão na etapa "{ $stage }": mova-os para outra etapa antes de removê-la.
}
error-stage-kind-in-use = { $count ->
    [one] 1 negócio está na etapa "{ $stage }": mova-o antes de torná-la de ganho, de perda ou aberta.
   *[other] { $count } negócios estão na etapa "{ $stage }": mova-os antes de torná-la de ganho, de perda ou aberta.
}

## Perfil
profile-title = Seu perfil
profile-preferences = Idioma e fuso horário
profile-time-zone = Fuso horário
profile-password = Senha
profile-current-password = Senha atual
profile-new-password = Nova senha (pelo menos 10 caracteres)
profile-keep-tokens = Manter meus tokens de API funcionando
profile-change-password = Trocar senha
profile-wrong-password = A senha atual não está correta.
profile-password-changed = Sua senha foi trocada. Entre com a nova senha.
profile-tokens = Tokens de API
profile-tokens-hint = Tokens permitem que outros programas usem a API do Rapport em seu nome. Revogue os que você não usa mais.
profile-token-once = Copie este token agora: ele só é mostrado uma vez.
profile-token-name = Nome
profile-token-scope = Acesso
profile-scope-read = Somente leitura
profile-scope-read-write = Leitura e escrita
profile-create-token = Criar token
profile-last-used = Último uso
profile-revoke = Revogar
profile-revoked = Revogado
profile-name-title = Seu nome

## Configurações
nav-settings = Configurações
settings-title = Configurações
settings-people = Usuários e equipes
settings-records = Registros
settings-pipelines = Funis
settings-trash = Lixeira
settings-users = Usuários
settings-role = Papel
settings-teams = Equipes
settings-status = Situação
settings-enable = Reativar
settings-disable = Desativar
settings-new-user = Convidar um usuário
settings-first-password = Primeira senha (a pessoa troca depois)
settings-add-user = Adicionar usuário
settings-add-member = Adicionar à equipe
settings-new-team = Nova equipe
settings-add-team = Adicionar equipe
settings-visibility = Quem vê quais registros
settings-visibility-hint = Privado: o responsável, os gerentes da equipe dele e os administradores. Equipe: todos da equipe do responsável. Todos: qualquer usuário.
settings-visibility-everyone = Todos
settings-visibility-team = A equipe do responsável
settings-visibility-private = Privado do responsável
settings-custom-fields = Campos personalizados
settings-new-field = Novo campo personalizado
settings-record-kind = Para
settings-field-key = Chave (letras, dígitos, _)
settings-field-type = Tipo
settings-field-options = Opções (para escolhas, separadas por vírgulas)
settings-add-field = Adicionar campo
settings-delete-field-confirm = Excluir este campo? Os valores continuam nos registros, mas não aparecem mais.
settings-new-pipeline = Novo funil
settings-stages = Etapas
settings-stages-help = Uma por linha: nome, dois-pontos e a probabilidade de ganho; acrescente "won" ou "lost" nas etapas de fechamento. Exemplo: Proposta: 50
settings-add-pipeline = Adicionar funil
settings-trash-empty = A lixeira está vazia.
settings-new-password = Nova senha
settings-set-password = Definir
settings-restore = Restaurar
settings-pipeline-name = Nome do funil
settings-rename = Renomear
settings-user-name = Nome
settings-stage-name = Nome da etapa
settings-stage-probability = Probabilidade de ganho (%)
settings-stage-kind = Fecha o negócio como
settings-move-up = Mover para cima
settings-move-down = Mover para baixo
settings-remove-stage = Remover
settings-remove-stage-confirm = Remover esta etapa? Só é possível remover uma etapa sem negócios.
settings-new-stage = Nova etapa
settings-add-stage = Adicionar etapa
pipeline-default-name = Vendas
pipeline-default-stage-0 = Qualificação
pipeline-default-stage-1 = Análise de necessidades
pipeline-default-stage-2 = Proposta
pipeline-default-stage-3 = Negociação
pipeline-default-stage-4 = Ganho
pipeline-default-stage-5 = Perdido
role-admin = Administrador
role-manager = Gerente
role-member = Membro
role-read-only = Somente leitura

## Notificações
notifications-title = Notificações
notification-reminder = Lembrete: “{ $name }”
notification-lead-assigned = Novo lead atribuído a você: “{ $name }”
notification-deal-moved = Seu negócio “{ $name }” foi movido para “{ $stage }”
notifications-mark-read = Marcar como lida

## Conversão de leads
convert-title = Converter este lead
convert-found-contact = Já existe um contato com este e-mail:
convert-found-company = Entra na empresa
convert-contact = Contato
convert-link = Vincular a ele
convert-create = Criar um novo
convert-new-contact = Um novo contato é criado a partir deste lead.
convert-create-deal = Abrir um negócio
convert-deal-name = Nome do negócio
convert-action = Converter

## Atalhos de teclado
shortcuts-search = Buscar
shortcuts-palette = Paleta de comandos
shortcuts-create = Criar nesta lista
shortcuts-edit = Editar este registro
shortcuts-rows = Próxima / anterior linha
shortcuts-board = Mover o negócio em foco para a próxima etapa ou a anterior
shortcuts-help = Estes atalhos

## Calendário da semana
calendar-title = Minha semana
calendar-previous = Semana anterior
calendar-next = Próxima semana
calendar-this-week = Esta semana
calendar-day-0 = Seg
calendar-day-1 = Ter
calendar-day-2 = Qua
calendar-day-3 = Qui
calendar-day-4 = Sex
calendar-day-5 = Sáb
calendar-day-6 = Dom

## Ações em massa
bulk-action = Com as linhas marcadas
bulk-assign = Passar para
bulk-add-tag = Adicionar a etiqueta
bulk-remove-tag = Remover a etiqueta
bulk-delete = Mover para a lixeira
bulk-tag = Etiqueta
bulk-apply = Aplicar
views-title = Visões
views-all = Todos
views-shared = compartilhada
views-save = Salvar visão
views-name = Nome da visão
views-share = Compartilhar com a equipe
views-delete = Excluir visão
columns-title = Colunas
columns-legend = Colunas exibidas
columns-apply = Exibir estas colunas
columns-reset = Colunas padrão
bulk-set-field = Definir um campo
bulk-field = Campo
bulk-value = Novo valor
bulk-done = { $changed ->
    [one] { $changed } registro alterado
   *[other] { $changed } registros alterados
}{ $refused ->
    [0] .
   *[other] ; { $refused } que você não pode alterar ficaram como estavam.
}

## imports
imports-title = Importações
imports-lede = Traga suas planilhas e as exportações do seu CRM antigo: confira como cada coluna é lida antes de gravar qualquer coisa.
imports-new = Nova importação
imports-kind = Registros
imports-file = Arquivo
imports-encoding = Codificação
imports-encoding-auto = Detectar (UTF-8 ou Windows-1252)
imports-upload = Enviar e mapear
imports-upload-hint = CSV (com vírgulas ou ponto e vírgula), planilhas do Excel (.xlsx) ou OpenDocument (.ods), até 64 MB; de uma planilha é lida a primeira aba. Colunas com os nomes das exportações do HubSpot, Salesforce, Pipedrive ou Google Contatos são reconhecidas. Contatos também de arquivos vCard (.vcf) do Google Contatos, Outlook ou iPhone, com as fotos.
imports-history = Suas importações
imports-none = Nenhuma importação ainda.
imports-status = Situação
imports-outcome = Resultado
imports-when = Enviado em
imports-summary = { $rows } linhas: { $created } criadas, { $skipped } ignoradas, { $rejected } rejeitadas
imports-status-draft = Em mapeamento
imports-status-queued = Na fila
imports-status-running = Importando
imports-status-done = Concluída
imports-status-cancelled = Cancelada
imports-status-failed = Falhou
imports-status-undone = Desfeita
imports-too-large = O arquivo tem mais de { $size } MB: divida-o e importe as partes.
imports-no-file = Escolha um arquivo para importar.
imports-import-started = Esta importação já começou: o mapeamento não pode mais mudar.
imports-import-changed = Esta importação mudou enquanto isso. Recarregue a página.
imports-import-finished = Esta importação terminou: desfaça-a em vez disso.
imports-import-undone = Esta importação já foi desfeita.
imports-import-unfinished = Esta importação ainda está em andamento: cancele-a primeiro.
imports-import-file-gone = O arquivo desta importação não está mais guardado: envie-o de novo.
imports-skip-column = Não importar
imports-new-custom-field = Novo campo "{ $name }" (texto)
imports-outcome-create = Será criado
imports-outcome-skip = Duplicado
imports-outcome-reject = Com erros
imports-duplicate = Já está gravado, ou repete uma linha anterior: será ignorado.
imports-left-rejected = rejeitada
imports-left-skipped = ignorada por duplicidade
imports-decimal-comma = 1.234,56 (vírgula decimal)
imports-decimal-point = 1,234.56 (ponto decimal)
imports-dates-day-first = Dia primeiro (31/12/2026)
imports-dates-month-first = Mês primeiro (12/31/2026)
imports-dates-year-first = Ano primeiro (2026/12/31)
imports-duplicates-skip = Ignorar linhas já gravadas
imports-duplicates-create = Importá-las como novos registros
imports-duplicates-update = Atualizar o registro existente com as células preenchidas da linha
imports-updated = Atualizados
imports-outcome-update = Vai atualizar
imports-match-by = Reconhecer registros existentes por
imports-match-email = E-mail
imports-match-phone = Telefone
imports-match-domain = Domínio do site
imports-match-id = Id do Rapport (arquivo exportado do Rapport)
imports-create-missing = Criar as empresas (por nome ou site) e os contatos (por e-mail) citados no arquivo que ainda não estão no Rapport
imports-rows = Linhas lidas
imports-created = Criadas
imports-skipped = Ignoradas
imports-rejected = Rejeitadas
imports-mapping = Colunas
imports-mapping-hint = Escolha o campo que cada coluna preenche. Colunas marcadas "Não importar" ficam de fora.
imports-column = Coluna no arquivo
imports-samples = Primeiros valores
imports-field = Campo
imports-formats = Como o arquivo está escrito
imports-formats-hint = Deduzido das primeiras linhas: confira se os números e datas abaixo aparecem como você espera.
imports-decimal = Números
imports-dates = Datas
imports-duplicates = Duplicados
imports-preview = Prévia
imports-preview-hint = As 20 primeiras linhas como seriam importadas, conferidas com o que já está gravado. Nada foi salvo ainda.
imports-line = Linha
imports-problem = O que corrigir
imports-update-preview = Atualizar prévia
imports-start = Iniciar importação
imports-progress = Andamento
imports-failed = A importação parou:
imports-cancelling = Parando depois do lote que está sendo salvo…
imports-cancel = Cancelar importação
imports-running-hint = Você pode sair desta página: a importação continua, e cada lote é salvo inteiro ou não é salvo.
imports-open-list = Abrir a lista
imports-download-report = Baixar as linhas que ficaram de fora
imports-undo = Desfazer importação
imports-undo-confirm = Mover para a lixeira todos os registros que esta importação criou?
imports-left-out = Linhas que ficaram de fora
list-import = Importar

# Direitos do titular (LGPD)
privacy-erase-title = Apagar dados pessoais
privacy-what-happens = O que a eliminação faz
privacy-erases-fields = O nome passa a ser “Contato apagado”; e-mails, telefones, endereço, data de nascimento, cargo, consentimentos e campos personalizados de texto são limpos, e o contato deixa de aparecer em buscas e na verificação de duplicados.
privacy-erases-timeline = O assunto e o texto de todas as atividades sobre esta pessoa (ligações, reuniões, notas, tarefas) são removidos.
privacy-erases-audit = Os valores antigos e novos desses campos no histórico de alterações são substituídos por “[erased]”.
privacy-keeps-aggregates = Os negócios, com valores, etapas e datas, e as contagens de atividades ficam, para que os relatórios continuem batendo.
privacy-cannot-undo = Isto não pode ser desfeito.
privacy-download-first = baixe antes, se a pessoa pediu uma cópia.
privacy-type-name = Para confirmar, digite o nome do contato:
privacy-erase = Apagar definitivamente
privacy-erased-name = Contato apagado
privacy-erased-subject = Apagado
error-confirmation-mismatch = O nome digitado não confere. Digite-o exatamente como aparece acima.
timeline-erased = { $who } apagou os dados pessoais
imports-vcard-title = Contatos de um arquivo vCard
imports-vcard-summary = { $created } criados, { $skipped } ignorados, { $rejected } rejeitados; { $photos ->
    [one] 1 foto guardada
   *[other] { $photos } fotos guardadas
}
imports-vcard-cards = Cartões
imports-vcard-line = Linha
imports-vcard-name = Nome
imports-vcard-reason = Motivo
imports-vcard-created = Criado
imports-vcard-skipped = Ignorado
imports-vcard-rejected = Rejeitado
imports-vcard-photo-too-large = A foto ficou de fora: tem mais de 512 KB.
imports-vcard-photo-unreadable = A foto ficou de fora: não é uma imagem JPEG, PNG, GIF ou WebP.
imports-vcard-contacts-only = Um arquivo vCard traz contatos: escolha Contatos como registros a importar.
imports-vcard-address = Endereço
imports-vcard-organization = Empresa
error-duplicate-contact = Já existe um contato com este e-mail; ele foi mantido como está.
error-not-a-vcard = Este arquivo não traz nenhum vCard: ele deveria começar com BEGIN:VCARD. Exporte os contatos de novo como vCard (.vcf).
error-empty-file = O arquivo está vazio. Escolha o arquivo que você exportou.
error-file-too-large = O arquivo é grande demais: divida-o em arquivos de no máximo 16 MB.
profile-calendar-title = Feed de calendário
profile-calendar-hint = Assine suas tarefas, ligações e reuniões no Google Agenda, Outlook ou Calendário da Apple com um link secreto. Quem tiver o link vê esses itens: gere outro se ele vazar.
profile-calendar-once = Copie este link agora e adicione-o ao seu aplicativo de calendário como assinatura (“Por URL”); ele só é mostrado uma vez.
profile-calendar-link = Link do feed
profile-calendar-since = Ativo desde { $when }.
profile-calendar-off = Desativado: nenhum link funciona.
profile-calendar-create = Criar um link
profile-calendar-reset = Gerar outro link
profile-calendar-turn-off = Desativar
profile-calendar-created = Um novo link foi criado; o anterior não funciona mais.
profile-calendar-turned-off = O feed de calendário foi desativado.
# Duplicates and merge
dup-reason-email = mesmo e-mail
dup-reason-phone = mesmo telefone
dup-reason-domain = mesmo domínio
dup-reason-tax-id = mesmo CNPJ/CPF
dup-reason-name = nome parecido
dup-review-title = Possíveis duplicados: { $kind }
dup-review-scan = Procurar agora
dup-review-scan-queued = Uma busca foi agendada: a lista se completa enquanto ela roda.
dup-review-help = Pares que parecem ser o mesmo registro, encontrados por uma busca em todos os registros (toda noite, após cada importação ou quando você pede). Mescle-os ou marque que não são duplicados.
dup-review-empty = Nenhum possível duplicado encontrado. Uma busca roda toda noite; "Procurar agora" roda uma antes.
dup-review-record = Registro
dup-review-other = Parece com
dup-score = Pontuação
dup-reasons = Por quê
dup-review-actions = Ações
dup-review-link = Duplicados
dup-merge-action = Mesclar
dup-dismiss = Não é duplicado
dup-merge-title = Mesclar dois registros
dup-merge-help = Escolha o registro que fica e, para cada campo diferente, o valor que ele mantém. O outro registro vai para a lixeira.
dup-merge-field = Campo
dup-merge-survivor = Registro que fica
dup-merge-keep-this = Manter este
dup-merge-joined = os dois ficam
dup-merge-same = Campos com o mesmo valor
dup-merge-moves = Atividades, negócios, notas e vínculos do registro mesclado passam para o que fica. Você pode desfazer a mesclagem.
dup-merged-notice = Registros mesclados.
dup-undo = Desfazer
dup-unmerged-notice = A mesclagem foi desfeita: os dois registros voltaram como eram.
dup-created-warning = Salvo. Este registro parece com registros que você já tem: veja "Possíveis duplicados".
dup-panel-title = Possíveis duplicados
dup-convert-candidates = Possíveis duplicados do que será criado:
dup-timeline-merged = { $who } mesclou duplicados neste registro, ou este registro em outro
